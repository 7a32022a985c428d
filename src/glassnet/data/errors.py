"""The warning every reader and pipeline stage uses when on_error="skip" drops records."""


class SkippedRecordsWarning(UserWarning):
    """Records were skipped under on_error="skip": one warning per read or epoch, with the count
    and the first causes, so nothing is dropped silently."""
