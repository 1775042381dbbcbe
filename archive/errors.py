"""Named errors that the command line turns into one line on stderr and their exit status (2, or 3 when the
data folder itself fails); and the kind of a recorded failure reason (`captures.error`)."""


class GovarchiveError(Exception):
    """Bad usage or input the user can fix."""

    exit_status = 2


class SitesFileError(GovarchiveError):
    pass


class CorpusError(GovarchiveError):
    pass


class DataFolderError(GovarchiveError):
    """The data folder cannot take what a run writes (full, read-only, its database locked by another
    process): the run stops; nothing half-written is referenced, and the next run completes the work."""

    exit_status = 3


def error_kind(reason: str) -> str:
    """The counter key of a failure reason (crawler/failures.py, an extraction's error): what precedes its
    first colon (`http 500`, `timeout`, `corrupt PDF`)."""
    return reason.split(":")[0][:40].strip().replace(" ", "_")
