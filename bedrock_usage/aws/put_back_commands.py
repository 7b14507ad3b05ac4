"""The AWS CLI commands that put back what setup's Glue and Athena steps wrote, named on the line of a refusal after
them (``provisioning.put_back``), and the IAM action each needs.

A Glue database or table setup made is deleted (AWS Glue API Reference, DeleteDatabase: the tables in it go with it;
DeleteTable); a table it changed gets its former definition back (UpdateTable replaces the whole TableInput). Glue's
commands name the catalog setup wrote to, the account's (``--catalog-id``: the API's default is the caller's account,
so the command cannot reach another account's database of that name). A workgroup setup made is deleted with what ran
in it (Amazon Athena API Reference, DeleteWorkGroup: ``RecursiveDeleteOption`` deletes it though it holds query
executions, as the test query's); one it changed gets its former settings back (UpdateWorkGroup).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .provisioning import aws_command, compact_json

# A delete needs permission on what it deletes with it (AWS Glue Developer Guide, "Specifying AWS Glue resource ARNs").
DELETE_DATABASE_ACTION = "glue:DeleteDatabase on the database and its tables, and deletes the tables in it too"
DELETE_TABLE_ACTION = "glue:DeleteTable"
UPDATE_TABLE_ACTION = "glue:UpdateTable"
DELETE_WORKGROUP_ACTION = "athena:DeleteWorkGroup"
UPDATE_WORKGROUP_ACTION = "athena:UpdateWorkGroup"


def delete_database(name: str, account: str, region: str) -> str:
    """``aws glue delete-database`` of a database setup made."""
    return aws_command("glue", "delete-database", region, "--name", name, "--catalog-id", account)


def delete_table(database: str, name: str, account: str, region: str) -> str:
    """``aws glue delete-table`` of a table setup made in a database that was there before."""
    return aws_command("glue", "delete-table", region, "--database-name", database, "--name", name,
                       "--catalog-id", account)


def restore_table(glue: Any, database: str, current: dict[str, Any], account: str, region: str) -> str:
    """``aws glue update-table`` giving a table setup changed its definition as GetTable read it (``current``), the
    fields UpdateTable takes (its TableInput, from botocore's model of the client ``glue``)."""
    shape = glue.meta.service_model.shape_for("TableInput")
    return aws_command("glue", "update-table", region, "--database-name", database, "--table-input",
                       compact_json(_fitted(current, shape)), "--catalog-id", account)


def _fitted(value: Any, shape: Any) -> Any:
    """``value`` as an input of ``shape`` takes it: a structure's members only, at every depth; times as ISO 8601."""
    if shape.type_name == "structure":
        return {name: _fitted(item, shape.members[name]) for name, item in value.items() if name in shape.members}
    if shape.type_name == "list":
        return [_fitted(item, shape.member) for item in value]
    if shape.type_name == "map":
        return {key: _fitted(item, shape.value) for key, item in value.items()}
    return value.isoformat() if isinstance(value, datetime | date) else value


def delete_workgroup(name: str, region: str) -> str:
    """``aws athena delete-work-group`` of a workgroup setup made, with what ran in it."""
    return aws_command("athena", "delete-work-group", region, "--work-group", name, "--recursive-delete-option")


def restore_workgroup(name: str, current: dict[str, Any], output_location: str, cutoff: int | None,
                      region: str) -> str:
    """``aws athena update-work-group`` putting back the settings setup changed (``current``: the configuration
    GetWorkGroup read): the output location, the enforcement of the workgroup's settings (off when it was unset: Athena
    User Guide, "Override client-side settings", not selected by default) and the scan limit this run set
    (``cutoff``)."""
    back: dict[str, Any] = {}
    location = (current.get("ResultConfiguration") or {}).get("OutputLocation")
    if location != output_location:
        back["ResultConfigurationUpdates"] = ({"OutputLocation": location} if location else
                                              {"RemoveOutputLocation": True})
    if current.get("EnforceWorkGroupConfiguration") is not True:
        back["EnforceWorkGroupConfiguration"] = bool(current.get("EnforceWorkGroupConfiguration"))
    limit = current.get("BytesScannedCutoffPerQuery")
    if cutoff is not None and limit != cutoff:
        back.update({"BytesScannedCutoffPerQuery": limit} if limit else {"RemoveBytesScannedCutoffPerQuery": True})
    return aws_command("athena", "update-work-group", region, "--work-group", name, "--configuration-updates",
                       compact_json(back))
