"""One file per revision, applied in order."""
