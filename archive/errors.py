"""Named errors that the command line turns into one line on stderr and their exit status (2, or 3 when the
data folder itself fails)."""


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
