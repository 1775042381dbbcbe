"""Named errors that the command line turns into one line on stderr and exit status 2."""


class GovarchiveError(Exception):
    """Bad usage or input the user can fix."""


class SitesFileError(GovarchiveError):
    pass


class CorpusError(GovarchiveError):
    pass
