"""The two kinds of error a user can cause or fix, with the exit codes the CLIs use."""


class UsageError(Exception):
    """Bad input from the user (options, dates, filters, files): exit code 1."""

    exit_code = 1


class SetupRequired(Exception):
    """The environment is missing something (credentials, logging, a table): exit code 2.

    The message names the step that fixes it.
    """

    exit_code = 2


class NoCredentials(SetupRequired):
    """No AWS credentials at all: the reports can still run on demo data or on a local copy of the logs."""
