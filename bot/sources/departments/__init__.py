"""The department directory: GOV.UK slugs, names and short forms, Parliament answering bodies."""
