"""Files a person uploads on the chat page, copied into the folder of articles the page serves.

A file is checked as ``qa index`` would read it before it is copied, so a file that cannot be an
article is refused with its reason instead of joining the folder. An existing file is never
overwritten: a file of the same name and other bytes is saved under a new name, and the person is told.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from index.articles import ARTICLE_SUFFIXES, MAX_ARTICLE_BYTES, ArticleFileError, check_size, read_article
from index.isolation import IsolatedExtractor, unexpected_failure

_MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class SavedUpload:
    """What became of one uploaded file.

    Attributes:
        name: The file's name as uploaded.
        saved_as: Its name in the folder ("" when it was not saved).
        message: One line for the person: where it went, or why it was refused.
    """

    name: str
    saved_as: str
    message: str


def save_upload(upload: str | Path, folder: Path, name: str | None = None) -> SavedUpload:
    """Copy one uploaded file into ``folder`` (its top level) if it can be read as an article.

    Args:
        upload: Where the upload lies now (Gradio's temporary copy).
        folder: The folder of articles.
        name: The file's name as the person's computer gave it; by default ``upload``'s own name.

    Example:
        >>> save_upload("/tmp/gradio/ab12/tram.md", Path("my-articles")).message
        'tram.md: added'
    """
    source = Path(upload)
    name = Path(name or source.name).name  # the last part only: an upload cannot name another folder
    suffixes = ", ".join(ARTICLE_SUFFIXES)
    if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
        return SavedUpload(name, "", f"{name}: not saved, not an article file; upload {suffixes} files")
    if name.startswith(".") or len(name) > _MAX_NAME_CHARS:
        return SavedUpload(name, "", f"{name}: not saved, a hidden or too long name; rename the file")
    size = source.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        limit = MAX_ARTICLE_BYTES // (1024 * 1024)
        return SavedUpload(name, "", f"{name}: not saved, {size / 1024 / 1024:.0f} MB is over the {limit} MB limit")
    try:
        # As a sync reads it: parsers in a worker within its time budget, so a pathological file
        # cannot hold up the page.
        with IsolatedExtractor() as isolated, tempfile.TemporaryDirectory() as scratch:
            named = Path(scratch) / name  # read as the kind its name says, whatever the upload's own name
            shutil.copyfile(source, named)
            check_size(read_article(named, Path(name).stem, extract=isolated.extract))
    except ArticleFileError as error:
        return SavedUpload(name, "", f"{name}: not saved, {error}")
    except Exception as error:  # noqa: BLE001 - any failure of one file is a refusal naming it
        return SavedUpload(name, "", f"{name}: not saved, {unexpected_failure(error)}")
    data = source.read_bytes()
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 1000):
        candidate = name if n == 1 else f"{stem}-{n}{suffix}"
        target = folder / candidate
        if target.exists() or target.is_symlink():
            if target.is_file() and target.read_bytes() == data:
                return SavedUpload(name, candidate, f"{name}: already in the collection as {candidate}, unchanged")
            continue
        try:
            with target.open("xb") as out:  # "x": never replaces a file that appeared meanwhile
                out.write(data)
        except FileExistsError:
            continue
        if candidate == name:
            return SavedUpload(name, candidate, f"{name}: added")
        return SavedUpload(name, candidate, f"{name}: added as {candidate} ({name} was already there, with other text)")
    return SavedUpload(name, "", f"{name}: not saved, too many files named like it; rename it and upload it")
