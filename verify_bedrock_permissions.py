"""Check that each application role can reach Amazon Bedrock in each region. Changes nothing.

Per role: assume it (in the caller's account), then per region list the foundation models as the role, and ask
IAM's policy simulator whether the role may call bedrock:InvokeModel on a model there.
"""

from __future__ import annotations

import sys

from bedrock_usage.output.command import interrupt_ends_run

with interrupt_ends_run():  # Ctrl-C while the modules load ends the run as later: one line, exit 130
    from bedrock_usage.aws.permissions import (
        ALLOWED,
        DEFAULT_MODEL,
        DEFAULT_ROLES,
        NOT_APPLICABLE,
        RoleRegionCheck,
        arn_region,
        model_target,
        require_model_region,
        verify_role,
    )
    from bedrock_usage.aws.session import Aws
    from bedrock_usage.cli import EXIT_OK, make_parser, print_json, regions_of, render_table, run_main
    from bedrock_usage.errors import SetupRequired
    from bedrock_usage.output.command import named

EXIT_CODES = (
    "Exit codes: 0 every role was assumed, listed the models and may invoke the model (or the simulator could not "
    "tell: 'unknown') in every region; 1 a mistake in the options; 2 the environment needs a step (credentials, "
    "permissions), or a role/region pair cannot use Bedrock as expected (each listed under Problems). The check "
    "changes nothing."
)
EXAMPLES = """\
  python verify_bedrock_permissions.py
  python verify_bedrock_permissions.py --roles ChatbotApp-BedrockRole --regions us-east-1 us-west-2
  python verify_bedrock_permissions.py --model anthropic.claude-3-5-sonnet-20240620-v1:0 --format json
  python verify_bedrock_permissions.py --model arn:aws:bedrock:eu-west-1:123456789012:provisioned-model/abc123def456
  python verify_bedrock_permissions.py --model arn:aws:bedrock:us-east-1:123456789012:prompt-router/abcd1234efgh"""


def main(argv: list[str] | None = None) -> int:
    """Check each role in each region and print a role x region table."""
    parser = make_parser(
        "verify_bedrock_permissions.py",
        "Assume each application role and check, per region, that it can list Bedrock foundation models and "
        "may invoke a model (IAM policy simulator; 'unknown' when the simulator cannot be asked).",
        EXAMPLES,
        exit_codes=EXIT_CODES,
    )
    parser.add_argument(
        "--roles",
        nargs="+",
        action="extend",
        type=named,
        metavar="ROLE",
        help="role names in this account, or role ARNs (default: the four sample roles, which "
        "generate_test_data.py --create-roles makes; InvokeModel is checked for roles of this account only)",
    )
    parser.add_argument(
        "--model", type=model_target, default=DEFAULT_MODEL,
        help="model whose InvokeModel permission is checked: a model id, an inference profile id (us., global.), or "
        "the ARN of a foundation model, inference profile, application inference profile, prompt router, provisioned "
        "model, custom model deployment or imported model; for a profile, the foundation model in each region it "
        "routes to is checked too, for a prompt router each model it routes to (and a profile's models). An ARN's "
        "InvokeModel is checked in the ARN's region only, as a call from another region cannot name it; without "
        "--regions that is the one region checked (default %(default)s)",
    )
    args = parser.parse_args(argv)
    roles = args.roles or list(DEFAULT_ROLES)
    aws = Aws.connect(args.profile)
    model_region = arn_region(args.model)
    regions = (model_region,) if model_region and not args.regions else regions_of(args, aws)
    account = aws.account_id()
    require_model_region(args.model, regions, account, aws.partition())
    table = args.format == "table"
    if table:
        print(f"🔐 Checking Bedrock access of {len(roles)} role(s) in account {account}")
    checks: list[RoleRegionCheck] = []
    for role in roles:
        if table:
            print(f"Testing role: {role}", flush=True)
        checks += verify_role(aws, role, regions, args.model)

    if table:
        print()
        print(render_table(*matrix(checks, roles, regions)))
        if any(check.invoke == NOT_APPLICABLE for check in checks):
            print(f"\nInvokeModel is checked in {model_region} only ('invoke {NOT_APPLICABLE}' elsewhere): --model "
                  f"names a resource of {model_region}, which a call from another region cannot name.")
        problems = [f"  {c.role} / {c.region}: {p}" for c in checks for p in c.problems]
        if problems:
            print("\nProblems:")
            print("\n".join(problems))
    else:
        print_json({"account": account, "model": args.model, "model_region": model_region, "checks": checks})
    failing = [check for check in checks if not check.ok]
    if failing:
        pairs = len({(check.role, check.region) for check in failing})
        raise SetupRequired(f"{pairs} role/region pair(s) cannot use Bedrock as expected: see the problems listed")
    return EXIT_OK


def matrix(
    checks: list[RoleRegionCheck], roles: list[str], regions: tuple[str, ...]
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the role x region table; each cell is '<mark> <models> models, invoke <verdict>' (➖ for
    a region whose calls cannot name an ARN --model)."""
    by_pair = {(check.role, check.region): check for check in checks}
    rows = []
    for role in roles:
        row = [role]
        for region in regions:
            check = by_pair[(role, region)]
            if not check.assumed:
                models = "not assumed"
            else:
                models = "? models" if check.model_count is None else f"{check.model_count} models"
            mark = {ALLOWED: "✅", NOT_APPLICABLE: "➖"}.get(check.invoke, "❔") if check.ok else "❌"
            row.append(f"{mark} {models}, invoke {check.invoke}")
        rows.append(row)
    return ["Role", *regions], rows


if __name__ == "__main__":
    sys.exit(run_main(main))
