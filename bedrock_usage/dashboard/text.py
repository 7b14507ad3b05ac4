"""Every string the dashboard shows, in English (default) and Korean, and the number formats it uses."""

from __future__ import annotations

import math
import re
from functools import cache

from ..engines.base import LogSource
from ..governance.callers import BATCH_NOTE, MONTH_BILL, MONTH_NOTE, REGION_NOT_READ, UNREAD_BILLED
from ..governance.reconcile import BATCH_NOT_LOGGED
from ..output.notices import Notice
from ..output.progress import ENGLISH as PROGRESS_ENGLISH
from ..output.progress import Progress, Said, progress_line
from ..output.terminal_table import money
from ..pricing import PriceFile, priced_at
from ..qdev.cost import VirtualCost
from ..qdev.credits import KiroCredits
from ..qdev.render import kiro_allowance_note, kiro_price_source
from ..report.tracker import split_unknown_note
from .notice_text import (
    ACCOUNT_POOL,
    BATCH_NOT_LOGGED_KO,
    LIMIT_NAMES,
    LIMIT_STATUSES,
    NOTICES,
    PHRASE_FORMS,
    PHRASES,
)

LANGUAGES = {"en": "English", "ko": "한국어"}

# The sidebar's Amazon Q / Kiro section and its fields, named once: the tab's help names them as the sidebar shows them.
_Q_SECTION = {"en": "Amazon Q / Kiro logs", "ko": "Amazon Q / Kiro 로그"}
_Q_BUCKET = {"en": "S3 bucket", "ko": "S3 버킷"}
_Q_FOLDER = {"en": "Folder", "ko": "폴더"}

# Why batch inference is never compared with the logs: the CLI's words (its warnings, JSON and terminal) in English.
_BATCH_NOT_LOGGED = {"en": BATCH_NOT_LOGGED, "ko": BATCH_NOT_LOGGED_KO}

_ENABLE_Q_EN = f"""**Turning on Amazon Q Developer analytics**
1. In the Amazon Q Developer console, open **Settings**.
2. Turn on **prompt logging** and choose an S3 bucket, for example `amazonq-developer-reports-<account>`.
3. Turn on the **user activity report** as well: it gives per-feature counts and the monthly limits.
4. In the sidebar, under **{_Q_SECTION["en"]}**, enter the bucket in **{_Q_BUCKET["en"]}** (or a local copy in
   **{_Q_FOLDER["en"]}**) and click **Analyze** (docs/amazon-q.md has the details)."""

_ENABLE_Q_KO = f"""**Amazon Q Developer 분석 켜기**
1. Amazon Q Developer 콘솔에서 **설정(Settings)** 을 엽니다.
2. **프롬프트 로깅(prompt logging)** 을 켜고 S3 버킷을 지정합니다. 예: `amazonq-developer-reports-<account>`
3. **사용자 활동 보고서(user activity report)** 도 켭니다. 기능별 횟수와 월간 한도를 여기서 읽습니다.
4. 사이드바의 **{_Q_SECTION["ko"]}** 에서 **{_Q_BUCKET["ko"]}** 에 버킷을 (로컬 사본이면 **{_Q_FOLDER["ko"]}** 에
   폴더를) 입력하고 **분석** 을 누릅니다 (자세한 내용은 docs/amazon-q.md)."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Amazon Bedrock usage",
        "tab_bedrock": "Amazon Bedrock",
        "tab_qdev": "Amazon Q / Kiro",
        "tab_governance": "Governance",
        "login_needed": "This dashboard shows who spends what: log in to see it.",
        "log_in": "Log in",
        "log_out": "Log out",
        "signed_in_as": "Logged in as {who}",
        "language": "Language",
        "data_source": "Data source",
        "source_athena": "Athena (your AWS account)",
        "source_local": "Local logs folder or mirror",
        "source_demo": "Demo data",
        "logs_dir": "Logs folder",
        "logs_dir_help": "A folder holding the log objects in their S3 layout (AWSLogs/...), such as a mirror of "
        "the log bucket.",
        "aws_options": "AWS options",
        "profile": "AWS profile",
        "profile_help": "Leave empty to use the default credential chain.",
        "workgroup": "Athena workgroup",
        "qdev_logs": _Q_SECTION["en"],
        "q_bucket": _Q_BUCKET["en"],
        "q_bucket_help": "Bucket of the prompt logs and activity reports; empty means "
        "amazonq-developer-reports-<account>.",
        "q_logs_dir": _Q_FOLDER["en"],
        "q_logs_dir_help": "A local folder laid out like the Amazon Q Developer log bucket.",
        "q_prefix": "Key prefix (optional)",
        "q_prefix_help": "The prefix in front of AWSLogs/; empty means the bucket root and every top-level folder.",
        "q_user_map": "User map (optional)",
        "q_user_map_help": "A CSV file with userId and email columns (optional displayName): shows the people no "
        "Kiro report names by e-mail.",
        "period": "Period",
        "date_range": "Dates (both included)",
        "timezone": "Time zone",
        "scope": "Scope and filters",
        "regions": "Regions",
        "regions_help": "Source regions whose logs are read; the default is every region with logs (the region "
                        "folders of a local folder, or the regions whose logging delivers to S3).",
        "regions_all": "All regions with logs",
        "arn_filter": "Identity ARN contains",
        "arn_filter_help": "Only callers whose identity ARN contains this text (literal, case-sensitive), "
        "e.g. DataAnalysis.",
        "user_filter": "User contains",
        "user_filter_help": "Only users whose name contains this text (literal, in any letter case; for Amazon Q / "
        "Kiro any id form, e-mail or name).",
        "group_by": "Group cost by",
        "group_user": "User",
        "group_application": "Application",
        "group_tag": "Tag",
        "group_model": "Model",
        "tag_key": "requestMetadata tag key",
        "tag_key_help": "A key your applications send in requestMetadata, e.g. cost_center.",
        "analyze": "Analyze",
        "logging_status": "Logging status per region",
        "check_logging": "Check logging",
        "logging_status_help": "Checks Model Invocation Logging, its bucket and the newest log in each selected "
        "region (with all regions: in each region whose logging delivers to S3).",
        "logging_nowhere": "Model Invocation Logging delivers to S3 in no region of this account. Run "
        "`python setup_bedrock_logging.py --regions REGION` for each region where Bedrock is used.",
        "checking_logging": "Checking Model Invocation Logging...",
        "logging_ok": "**{region}**: logging is on; newest log {newest}.",
        "logging_no_logs": "**{region}**: logging to {bucket} is on, but no logs have arrived yet; they appear a "
        "few minutes after the first Bedrock call.",
        "logging_disabled": "**{region}**: Model Invocation Logging to S3 is off. Run `{command}`.",
        "logging_problems": "**{region}**: {problems}. Run `{command}` to make it deliver.",
        "logging_key": "**{region}**: logging to {bucket} is on, but Bedrock cannot deliver: {problems}.",
        "logging_unchecked": "**{region}**: logging to {bucket} is on, but not all of it could be checked: "
        "{problems}. Delivery is not confirmed until these can be read ({reads}).",
        "logging_unconfirmed": "**{region}**: logging to {bucket} is on, but whether Bedrock can write there is not "
        "confirmed: {problems}. Make sure the bucket policy lets {service} s3:PutObject under `{folder}` ({reads}).",
        "logging_reads": "{policy} lists what the check reads",
        "logging_error": "**{region}**: cannot check: {error}",
        "logging_denied": "**{region}**: {problems}. Setup changes no statement it did not write: change {statement} "
        "so it does not apply to {service} (e.g. add the condition `StringNotEqualsIfExists` "
        "`aws:PrincipalServiceName` = `{service}`), then check again.",
        "need_dates": "Choose a start and an end date.",
        "future_start": "The period starts after today ({today} in {tz}): it has no logs yet. Choose a start up to "
                        "today.",
        "need_region": "Choose at least one region.",
        "link_no_region": "Choose at least one region. The link's unknown regions were left out ({regions}); the "
                          "page does not read every region in their place.",
        "link_no_region_partition": "Choose at least one region. The link's Regions of a partition this tool "
                                    "neither reads nor prices were left out ({regions}); the page does not read every "
                                    "region in their place.",
        "need_logs_dir": "Enter the logs folder to read.",
        "need_tag_key": "Enter the requestMetadata tag key to group by.",
        "demo_banner_no_credentials": "**Demo mode**: no AWS credentials were found, so this is generated sample "
        "data, not your account's usage. Configure credentials (`aws configure` or `aws sso login`), reload the "
        "page and choose Athena in the sidebar.",
        "demo_banner": "**Demo mode**: generated sample data, not your account's usage.",
        "sidebar_changed": "The sidebar has changed since the last analysis: click **Analyze** to refresh.",
        "press_analyze": "Choose the data source, period and filters in the sidebar, then click **Analyze**.",
        "loading": "Reading the logs...",
        "load_failed": "Could not read the logs (the Bedrock tab says why)",
        "q_loaded": "Read {source}",
        "q_load_failed": "Could not read the Amazon Q / Kiro data (the reason is below)",
        "loaded_from": "Read with {source} in {seconds} s at {at} (this period and the previous one)",
        **{f"progress_{key}": text for key, text in PROGRESS_ENGLISH.items()},  # the scripts' own words
        "setup_needed": "Setup needed: {message}",
        "usage_error": "Cannot analyse: {message}",
        "scope_line": "{period} · {regions} · changes against {previous}",
        "previous_through": ", its last day {end} read only to {hour}, as far as today has come",
        "previous_none": "The previous period has no calls logged: no changes shown.",
        "previous_gap": "The previous period has no calls logged before {first} ({days} of its {of} days): if logging "
                        "began then, the changes compare unlike periods.",
        "scan_line": "Read {objects} log objects ({megabytes} MB): {engine}.",
        "source_read_athena": "Amazon Athena over Model Invocation Logs (workgroup {workgroup})",
        "source_read_local": "DuckDB over local log files in {folder}",
        "source_read_cache": " (columnar cache in {folder})",
        "scan_cost": "Its Athena queries (this period and the previous one) cost {cost}.",
        "scan_payloads": "{count} body objects under /data/ were not read: they hold a request or response body over "
        "100 KB, never a record.",
        "metric_cost": "Estimated cost",
        "list_prices": "list prices",
        "book_prices": "list prices of the price book",
        "metric_cost_help": "{exact}, estimated: logged tokens (and images made, video seconds, rerank queries and "
        "images given to an embeddings model, from logged request bodies, a call of a Stability AI one-image model "
        "as its one image) x {prices} for the model, source region, endpoint family, service tier, context tier and "
        "day. "
        "Changes compare with the previous period of equal length (when the period ends today, its last day to the "
        "same time of day).",
        "metric_calls": "Calls",
        "metric_calls_help": "{exact} model invocations, errors included.",
        "metric_input": "Input tokens",
        "metric_input_help": "{exact} input tokens: exact, from Model Invocation Logs.",
        "metric_output": "Output tokens",
        "metric_output_help": "{exact} output tokens: exact, from Model Invocation Logs.",
        "metric_cache_read": "Cache read",
        "metric_cache_read_help": "{exact} tokens read from the prompt cache: exact, from Model Invocation Logs.",
        "metric_cache_write": "Cache write",
        "metric_cache_write_help": "{exact} tokens written to the prompt cache: exact, from Model Invocation Logs.",
        "accuracy_note": "Tokens are exact (from Model Invocation Logs). Cost is estimated: logged tokens (and "
        "images made, video seconds, rerank queries and images given to an embeddings model, from logged request "
        "bodies, a call of a Stability AI one-image model as its one image) x {prices} for the model, source region, "
        "endpoint family, service tier, context tier and day (cache writes at the 5-minute rate unless the logged "
        "response says 1 hour, or, for a response delivered apart under /data/, every cache breakpoint of the logged "
        "request asks 1 hour){split}.",
        "unpriced_note": "Calls without a price in the price book: {calls}. They are not in the cost (see the "
        "warnings).",
        "who_line": "{users} users · {applications} applications · {models} models · {errors} errors",
        "warnings": "Warnings ({count}): some figures may be incomplete",
        "no_calls": "No calls in this period for this scope and these filters.",
        "no_calls_unknown": "No calls in this period in {read} for this scope and these filters. There are no logs of "
        "{missing} under the logs folder: their figures are unknown, not zero.",
        "chart_top": "Top 10 by cost: {group}",
        "chart_models": "Cost share by model",
        "chart_daily": "Daily cost and tokens",
        "stack_by": "Stack by",
        "daily_cost": "Cost per day (USD)",
        "daily_tokens": "Tokens per day (input, output and cache)",
        "chart_heatmap": "Cost by weekday and hour",
        "chart_regions": "Cost by source region",
        "hour_axis": "Hour of day ({tz})",
        "cost_usd": "Cost (USD)",
        "tokens": "Tokens",
        "other": "Other",
        "not_set": "(none)",  # as the CLI's tables and chargebacks name calls without the tag
        "empty_value": "(empty)",  # a tag value logged "", as the CLI's tables show it
        "tables": "Tables",
        "table_group": "By {group}",
        "table_detail": "Application x model x region",
        "table_user_app": "User x application x model x region",
        "table_models": "Models",
        "table_daily": "Daily",
        "table_regions": "Regions",
        "table_unpriced": "Unpriced models",
        "download_csv": "Download CSV",
        "q_scope_line": "{period} · {source}",
        "q_requests": "Requests",
        "q_requests_help": "{exact} requests: {chat} chat, {inline} inline, {dev} /dev; and {tools} Kiro "
        "tool-result turns, counted apart.",
        "q_input": "Input tokens",
        "q_output": "Output tokens",
        "q_tokens_help": "{exact} tokens, counted from the prompt logs with an approximation of Claude's "
        "tokenizer.",
        "q_users": "Active users",
        "q_virtual_cost": "Virtual cost incl. Kiro",
        "q_virtual_cost_help": "{exact}, estimated: what the tokens of every request, Kiro's included, would cost at "
        "{prices}, each request at the price of the model it was priced as ({model} for a request that names none; "
        "see the table Virtual cost per model). Not billed.",
        "q_subscribed_cost_card": "Virtual cost, Q Developer",
        "q_subscribed_cost_help": "{exact}, estimated: what the Amazon Q Developer requests' tokens would cost at "
        "{prices}, each request at the price of the model it was priced as ({model} for a request that names none), "
        "set against the subscription. Not billed.",
        "q_subscription": "Subscription",
        "q_subscription_help": "{exact}, estimated: {users} Amazon Q Developer users x {price} per month (the Pro "
        "list price), prorated to the days of the period; AWS bills every subscribed user. Kiro users pay Kiro seats "
        "instead.",
        "q_subscribed_cost": "Virtual API cost of Amazon Q Developer requests",
        "q_accuracy_note": "Requests, users, activity-report counts and Kiro credits are exact (from the logs and "
        "reports). Token counts are estimates: prompt logs hold text, counted here with an approximation of Claude's "
        "tokenizer. Every cost here is estimated: the virtual cost is what those tokens would cost at {prices}, "
        "not what AWS bills (Amazon Q Developer Pro is billed per subscribed user); the subscription and "
        "the Kiro cost are published prices prorated by day; month-end figures are linear projections. No prompt or "
        "response text is shown.",
        "q_no_data": "No Amazon Q Developer or Kiro prompt logs or reports in this period.",
        "q_need_dir": f"Enter the folder of the Amazon Q Developer logs in **{_Q_FOLDER['en']}** under "
        f"**{_Q_SECTION['en']}** in the sidebar.",
        "q_enable_help": _ENABLE_Q_EN,
        "q_type_chat": "Chat",
        "q_type_inline": "Inline",
        "q_type_dev": "/dev",
        "q_type_tool_result": "Tool-result turns",
        "q_chart_users": "Top 10 people by tokens",
        "q_chart_types": "Requests by type, and tool-result turns",
        "q_context_window": "Context window use ({window} tokens)",
        "q_context_avg": "Average",
        "q_context_max": "Largest",
        "q_context_over_80": "Over 80%",
        "q_chart_daily": "Requests per day",
        "q_chart_cost": "Amazon Q Developer: virtual API cost against the subscription",
        "q_cost_below": "The subscription costs {amount} more than the API would for its users' Amazon Q Developer "
        "requests.",
        "q_cost_above": "The API would cost {amount} more than the subscription for its users' Amazon Q Developer "
        "requests.",
        "q_table_users": "Per user",
        "q_table_types": "Per type",
        "q_table_products": "Per product",
        "q_table_daily": "Daily",
        "q_table_limits": "Monthly limits ({month})",
        "q_table_activity": "Activity per user",
        "q_table_estimate": "Tokens estimated from activity reports",
        "q_estimate_note": "Tokens estimated from the activity reports (an estimate: report counts x the average "
        "tokens per request measured in the prompt logs; chat requests are Chat_MessagesSent / 2, rounded up, as it "
        "counts messages to and from Amazon Q): {total}.",
        "q_estimate_left_out": "It leaves out {types}: no prompt-log request to measure, so not estimable.",
        "q_pool_note": "Account pools in the monthly limits are the whole account's: the pool and its use count every "
        "user of the month's reports ({users}), whatever the user filter selects; a person has no allowance of their "
        "own in them.",
        "q_table_people": "People",
        "q_table_models": "Virtual cost per model",
        "q_virtual_input": "Virtual input cost",
        "q_virtual_output": "Virtual output cost",
        "kiro_header": "Kiro credits",
        "kiro_scope": "From {files} Kiro user reports · month to date {month}: {days} of {days_in_month} days "
        "reported",
        "kiro_credits": "Credits in plan",
        "kiro_credits_help": "{exact} credits from the plans' monthly allowances, {overage} overage credits.",
        "kiro_overage": "Overage credits",
        "kiro_cost": "Kiro cost",
        "kiro_cost_help": "{exact}, estimated: published tier prices prorated to the period ({seats}) plus overage "
        "credits at the tier's price ({overage}); not the bill.",
        "kiro_unpriced_tiers": "Tiers without a published price are left out: {unpriced}.",
        "kiro_overage_help": "{exact} credits used beyond the plans' monthly allowances.",
        "kiro_flagged": "Near or over allowance",
        "kiro_flagged_help": "People in overage, at 80% of their tier's monthly allowance, or projected to pass it "
        "by month end.",
        "kiro_in_plan": "In plan",
        "kiro_used": "Used, overage included",
        "kiro_chart_users": "Top 10 people by Kiro credits, overage included",
        "kiro_chart_daily": "Kiro credits per day",
        "kiro_chart_models": "Kiro messages by model",
        "kiro_table_users": "Kiro per user",
        "kiro_table_allowance": "Kiro allowance ({month})",
        "kiro_allowance_note": "Kiro allowance: {note}.",
        "kiro_table_clients": "Kiro per client",
        "kiro_table_models": "Kiro per model",
        "kiro_prices_note": "Tier prices and allowances: {tiers}; overage {overage} per credit (read {as_of}, "
        "sources in docs/amazon-q.md).",
        "credits_label": "Credits",
        "messages_label": "Messages",
        "gov_scope_line": "{regions} · the sidebar's period, time zone and filters apply: change them and click "
        "**Analyze**. Figures equal bedrock_tracker_cli.py's governance modes (docs/governance.md).",
        "budgets_header": "Budgets",
        "budgets_use_example": "Use the example budgets (examples/budgets.toml)",
        "budgets_path": "Budgets file (TOML or JSON)",
        "budgets_path_help": "[[budgets]] tables, as for bedrock_tracker_cli.py --check-budgets (format in "
        "docs/governance.md). The default comes from $BEDROCK_USAGE_BUDGETS.",
        "budgets_need_file": "Enter a budgets file to see each budget's spend this month, its burn-down and "
        "breaches (format in docs/governance.md).",
        "budgets_loading": "Checking the budgets...",
        "budgets_scope": "As of {as_of} ({tz}), the last day of the period; month to date from {month_start}. "
        "Spend is the estimated cost (logged tokens x {prices}).",
        "budgets_breached": "**{count} of {total} budgets breached**: {names}",
        "budgets_ok": "No budget is breached ({total} checked).",
        "budgets_forecast_over": "The month-end forecast is over the monthly amount (not yet breached): {names}",
        "budgets_days_read": "The scan's warnings below count every day read, {start} .. {end} ({tz}), the "
        "forecast's days before the month included, not the month alone:",
        "budget_status_ok": "On track",
        "budget_status_breached": "Breached",
        "budget_status_forecast": "Forecast over",
        "budget_spent_of": "**{spent}** of {monthly} this month ({share})",
        "budget_spent": "**{spent}** this month",
        "budget_day": "as-of day {day}",
        "budget_day_of": "as-of day {day} of {daily}",
        "budget_forecast": "forecast {forecast}",
        "burn_actual": "Spent (cumulative)",
        "burn_forecast": "Forecast",
        "burn_budget": "Monthly budget",
        "burn_pace": "Even pace",
        "burn_legend": ":orange[**━**] spent to date · :orange[**┅**] forecast to month end · :red[**━**] monthly "
        "budget · :gray[**╌**] even pace (the monthly amount spread over the month)",
        "forecast_method": "Forecast: month-to-date cost + mean daily cost of the last {days} days ({span}, up to and "
        "including the as-of day, days without calls as 0, none before logging began) x days left in the month.",
        "ends_today": "Days after today have no logs yet: figures end today.",
        "budget_all_spend": "all Bedrock spend",
        "forecast_method_today": "Forecast: month-to-date cost + mean daily cost of the {days} whole days before "
        "today ({span}, days without calls as 0, none before logging began) x days left in the month; today, not "
        "over yet, counts as at least that mean.",
        "budgets_table": "Budget status",
        "burndown_table": "Burn-down by day",
        "anomalies_header": "Cost anomalies per application",
        "anomaly_rule": "Rule",
        "anomaly_factor": "Factor",
        "anomaly_factor_help": "Flag a day whose cost is more than this many times the median of the window "
        "(--anomaly-factor).",
        "anomaly_window": "Window (days)",
        "anomaly_window_help": "Days before a day whose median is its baseline (--anomaly-window).",
        "anomaly_min_cost": "Minimum cost (USD)",
        "anomaly_min_cost_help": "Never flag a day cheaper than this (--anomaly-min-cost).",
        "anomalies_loading": "Looking for anomalies...",
        "anomaly_method": "Method: a day is flagged when an application's estimated cost is at least {min_cost} "
        "and more than {factor}x the median of the {window} days before it (days without calls as $0); days "
        "without {window} days of logs before them are not judged.",
        "anomalies_found": "Anomalous days in {period}: **{count}**",
        "anomalies_none": "No anomalies in {period}.",
        "anomalies_unjudged": "Not judged (too little history): {days}",
        "anomalies_unpriced": "{calls} calls in the period have no price and no cost here.",
        "anomalies_days_read": "The scan's warnings below count every day read, {start} .. {end} ({tz}), the "
        "median's and the forecast's days before the period included, not the period alone:",
        "anomalies_chart": "Daily estimated cost per application (circles: anomalous days)",
        "anomaly_marker": "Anomaly",
        "baseline_label": "{window}-day median",
        "anomalies_table": "Anomalous days",
        "forecast_table": "Month-end forecast ({month})",
        "anomaly_daily_table": "Daily cost",
        "reconcile_header": "Reconciliation with CloudWatch and Cost Explorer",
        "reconcile_needs_athena": "Reconciliation reads CloudWatch metrics and Cost Explorer in your AWS account: "
        "choose the **Athena** source (with credentials allowed by iam/report-reader.json) and click **Analyze**.",
        "reconcile_intro": "Per source region and UTC day, {start} .. {end}: logged calls against the calls "
        "CloudWatch metered, and the estimated cost against Cost Explorer's. It calls CloudWatch in each region "
        "and Cost Explorer once (USD 0.01 per Cost Explorer request).",
        "reconcile_threshold": "Coverage threshold (%)",
        "reconcile_threshold_help": "Flag region-days whose logged / metered calls is below this "
        "(--coverage-threshold).",
        "reconcile_run": "Run reconciliation",
        "reconcile_loading": "Reading CloudWatch and Cost Explorer...",
        "reconcile_changed": "The settings have changed since this reconciliation: click **Run reconciliation** to "
        "refresh.",
        "billing_truth": "**Cost Explorer is the billing truth** (what AWS charges, list price before credits). The "
        "tracker's cost is an estimate from logged tokens x {prices}; CloudWatch metrics count what Bedrock "
        "served, and coverage = logged calls / metered calls shows whether the logs hold every call.",
        "rec_logged": "Logged calls",
        "rec_metered": "Metered calls",
        "rec_coverage": "Coverage",
        "rec_estimated": "Estimated cost",
        "rec_billed": "Billed (Cost Explorer)",
        "rec_batch": "Batch billed (apart)",
        "rec_batch_help": "Batch inference, in the billed total and never compared with the logs' estimate: "
        f"{_BATCH_NOT_LOGGED['en']}. The region-day table's Batch inference billed column and a warning give it per "
        "region.",
        "rec_flagged": "**{count} region-days with logs missing or below {threshold} coverage**: {days}",
        "rec_models_below": "; models below the threshold: {models}",
        "rec_all_ok": "Every region-day with metered calls has logs at or above {threshold} coverage.",
        "rec_heatmap": "Coverage by region and UTC day (logged / metered calls)",
        "rec_table_region_day": "By region and UTC day",
        "rec_table_model_day": "By region, UTC day and ModelId",
        "rec_table_cost": "Cost by model and mode",
        "rec_table_unmapped": "Charges not tied to a model or a tier",
        "callers_header": "Billed and estimated cost per caller",
        "callers_needs_logs": "The bill per caller is your account's: choose the **Athena** or the **local** source "
        "with your logs and click **Analyze**.",
        "callers_intro": "Per caller (IAM principal, as the reports name users and applications), model, UTC day and "
        "month: what AWS billed beside the logs' estimate. The bill comes 24-48 hours late (docs/governance.md).",
        "callers_source": "Bill",
        "callers_source_cur_dir": "CUR 2.0 export (folder)",
        "callers_source_cur_athena": "CUR 2.0 export (Athena)",
        "callers_source_cost_explorer": "Cost Explorer (IAM principal tag)",
        "callers_cur_dir": "Export folder",
        "callers_cur_dir_help": "A local copy of the export: the folder holding data/BILLING_PERIOD=YYYY-MM/ "
        "(e.g. aws s3 sync s3://BUCKET/PREFIX/EXPORT-NAME/ ./cur).",
        "callers_cur_region": "Region of the export's table",
        "callers_cur_region_help": "Where setup_athena_bucket.py --cur made the table cur2_export.",
        "callers_ce_tag": "IAM principal tag",
        "callers_ce_tag_help": "A cost allocation tag of your IAM users, roles or sessions, as Cost Explorer names it "
        "(iamPrincipal/KEY). Cost Explorer has no IAM principal dimension to group by.",
        "callers_ce_names": "The tag's values name the",
        "callers_account": "Account (optional)",
        "callers_account_help": "The account whose bill is compared; empty means the account of the logs.",
        "callers_run": "Compare per caller",
        "callers_loading": "Reading the bill...",
        "callers_changed": "The settings have changed since this comparison: click **Compare per caller** to refresh.",
        "callers_truth": "**The bill is the truth** ({source}): what AWS charged each IAM principal, 24-48 hours "
        "late. The estimate is logged tokens x {prices}. Difference = estimated - billed and ratio = estimated / "
        "billed, both empty on rows with logged calls without a price.",
        "callers_billed": "Billed",
        "callers_estimated": "Estimated",
        "callers_difference": "Estimated - billed",
        "callers_difference_unpriced": "Not shown: the estimate leaves out {calls} logged calls without a price, so "
        "estimated - billed would read them as a gap in the bill. The tables give a difference only on rows whose "
        "logged calls all have a price.",
        "callers_unattributed": "Billed, no principal",
        "callers_batch": "Batch billed",
        "callers_batch_help": "Batch inference line items of the regions read, on no caller and never compared with "
        f"the logs' estimate: {_BATCH_NOT_LOGGED['en']}. The Batch inference tab lists them, and those of regions not "
        "read, which are in Regions not read.",
        "callers_unread": "Regions not read",
        "callers_unread_help": "The whole bill of the regions whose logs were not read, batch inference included, "
        "never compared with the logs. Billed + billed, no principal + batch billed + regions not read = the period's "
        "bill. The Billed in other regions tab lists its charges but batch, which the Batch inference tab lists as of "
        "a Region not read.",
        "callers_missing": "**{count} callers billed with no logs** (logging gaps, logging switched off, or another "
        "region): {names}",
        "callers_all_logged": "Every caller the bill names has logs.",
        "callers_unbilled": "**{count} callers logged with no bill** (yet): {names}",
        "callers_table_caller": "Per caller",
        "callers_table_model": "Per caller, model and mode",
        "callers_table_day": "Per caller and UTC day",
        "callers_table_month": "Per month",
        "callers_month_note": f"{MONTH_NOTE}.",
        "callers_batch_note": f"{BATCH_NOTE}.",
        "callers_table_unattributed": "Billed, no principal",
        "callers_table_batch": "Batch inference",
        "callers_table_outside": "Billed in other regions",
        "models_line": "Only calls of these models (sidebar): {models}.",
        "models": "Models",
        "models_all": "All models",
        "models_help": "Only the calls of these models, as the Models table names them (every endpoint and profile "
        "of each). Like bedrock_tracker_cli.py --model, but by model rather than by logged model id; it applies at "
        "once, without reading the logs again, to every tab.",
        "link_ignored": "This link's settings that could not be used were left out: {params}.",
        "chart_top_click": "Click a bar to drill down into it.",
        "chart_cost_per_1k": "Cost per 1,000 calls by model",
        "chart_cost_per_1k_note": "Estimated cost / priced calls x 1,000, over the period.",
        "cost_per_1k": "USD per 1,000 calls",
        "chart_lines": "Spend over time",
        "lines_by": "Lines for",
        "top_n": "Top",
        "lines_note": "The {shown} costliest of {total} ({group}) over the period, one line each.",
        "partial_today": "today (partial)",
        "partial_no_logs": "no logs yet",
        "focus_by": "Drill down into",
        "focus_none": "Everything",
        "focus_pick_user": "User",
        "focus_pick_application": "Application",
        "focus_pick_model": "Model",
        "focus_placeholder": "Choose one (costliest first)",
        "focus_clear": "Clear",
        "detail_header": "{what}: {value}. Every figure, chart and table on this tab shows only its calls.",
        "detail_share": "Share of cost",
        "detail_share_help": "{cost} of {scope} in this scope (period, regions, filters and models), over the priced "
        "cost only: calls without a price are in neither.",
        "cost_unpriced": "unpriced",
        "cost_partial": "{amount} (priced part)",
        "cost_no_change": "No change is shown: this period or the previous one has calls without a price, so its cost "
        "is only the priced part and the two do not compare.",
        "cost_unpriced_help": "No call here has a price in the price book, so its cost is unknown, not $0 (see the "
        "warnings).",
        "estimate_partial_help": "Only the priced part: {calls} logged calls have no price in the price book and are "
        "left out (see the warnings).",
        "chart_priced_only": "Costs cover the priced calls only: a bar or slice marked unpriced or (priced part) has "
        "calls without a price, which rank after the priced ones and are in no share.",
        "detail_error_rate": "Error rate",
        "detail_error_rate_help": "{errors} of {calls} calls ended in an error.",
        "detail_cost_per_call": "Cost per call",
        "detail_cost_per_call_help": "Estimated cost / priced calls (calls without a price are left out).",
        "detail_cost_per_1k": "Cost per 1K calls",
        "detail_tokens_per_call": "Tokens per call",
        "detail_tokens_per_call_help": "{exact} tokens per call: input, output, cache read and cache write.",
        "detail_daily": "Daily spend by {by}",
        "detail_top": "Top by cost: {by}",
        "editor_header": "Edit the budgets",
        "editor_intro": "Change, add (last row) or delete (select rows, then the bin) budgets, then save them to a "
        "budgets file that bedrock_tracker_cli.py --check-budgets reads. Each budget covers an application, a user, "
        "a tag value or all spend, with a monthly and/or a daily amount in USD. Nothing is written before you see "
        "the change.",
        "editor_scope": "Covers",
        "editor_value": "Application, user or tag value",
        "editor_value_help": "The application or user name as the tables show it, or the tag's value; empty for all.",
        "editor_tag": "Tag key",
        "editor_tag_help": "For a tag budget: the requestMetadata key, e.g. cost_center.",
        "editor_target": "Save to",
        "editor_target_help": "A .toml or .json file on the machine running the dashboard; the budgets above then "
        "check it.",
        "editor_need_target": "Enter the file to save the budgets to.",
        "editor_empty": "Add a budget in the table to save a budgets file.",
        "editor_bad_suffix": "A budgets file ends in .toml or .json.",
        "editor_example": "The example file is part of the project: save your budgets under another name.",
        "editor_unchanged": "{path} already holds these budgets.",
        "editor_change_new": "**{path}** does not exist: it will be created with these lines.",
        "editor_change": "**{path}** will change as follows (- removed, + added; comments are not kept):",
        "editor_confirm": "Replace {path} with the lines above",
        "editor_create": "Create the file",
        "editor_replace": "Replace the file",
        "editor_written": "Saved {detail}; the budgets above now check it.",
        "editor_error": "Not saved: {detail}",
    },
    "ko": {
        "title": "Amazon Bedrock 사용량",
        "tab_bedrock": "Amazon Bedrock",
        "tab_qdev": "Amazon Q / Kiro",
        "tab_governance": "거버넌스",
        "login_needed": "이 대시보드는 누가 얼마를 쓰는지 보여 줍니다. 보려면 로그인하세요.",
        "log_in": "로그인",
        "log_out": "로그아웃",
        "signed_in_as": "{who} 로 로그인됨",
        "language": "언어",
        "data_source": "데이터 소스",
        "source_athena": "Athena (내 AWS 계정)",
        "source_local": "로컬 로그 폴더 또는 미러",
        "source_demo": "데모 데이터",
        "logs_dir": "로그 폴더",
        "logs_dir_help": "로그 객체를 S3와 같은 구조(AWSLogs/...)로 담은 폴더입니다. 예: 로그 버킷의 미러.",
        "aws_options": "AWS 옵션",
        "profile": "AWS 프로필",
        "profile_help": "비워 두면 기본 자격 증명 체인을 사용합니다.",
        "workgroup": "Athena 작업 그룹",
        "qdev_logs": _Q_SECTION["ko"],
        "q_bucket": _Q_BUCKET["ko"],
        "q_bucket_help": "프롬프트 로그와 활동 보고서가 있는 버킷입니다. 비워 두면 "
        "amazonq-developer-reports-<account> 를 읽습니다.",
        "q_logs_dir": _Q_FOLDER["ko"],
        "q_logs_dir_help": "Amazon Q Developer 로그 버킷과 같은 구조의 로컬 폴더입니다.",
        "q_prefix": "키 접두사 (선택)",
        "q_prefix_help": "AWSLogs/ 앞의 접두사입니다. 비워 두면 버킷 루트와 모든 최상위 폴더를 찾습니다.",
        "q_user_map": "사용자 매핑 (선택)",
        "q_user_map_help": "userId 와 email 열(선택: displayName)이 있는 CSV 파일입니다. Kiro 보고서에 이메일이 없는 "
        "사람도 이메일로 보여 줍니다.",
        "period": "기간",
        "date_range": "날짜 (양 끝 포함)",
        "timezone": "시간대",
        "scope": "범위와 필터",
        "regions": "리전",
        "regions_help": "로그를 읽을 소스 리전입니다. 기본값은 로그가 있는 모든 리전입니다"
                        "(로컬 폴더의 리전 폴더, 또는 로깅이 S3로 전달되는 리전).",
        "regions_all": "로그가 있는 모든 리전",
        "arn_filter": "Identity ARN 포함 문자열",
        "arn_filter_help": "identity ARN에 이 문자열이 들어 있는 호출자만 봅니다 (그대로 비교, 대소문자 구분). "
        "예: DataAnalysis",
        "user_filter": "사용자 포함 문자열",
        "user_filter_help": "이름에 이 문자열이 들어 있는 사용자만 봅니다 (그대로 비교, 대소문자 구분 없이; "
        "Amazon Q / Kiro 는 모든 ID 형식·이메일·이름에서).",
        "group_by": "비용 묶음 기준",
        "group_user": "사용자",
        "group_application": "애플리케이션",
        "group_tag": "태그",
        "group_model": "모델",
        "tag_key": "requestMetadata 태그 키",
        "tag_key_help": "애플리케이션이 requestMetadata로 보내는 키입니다. 예: cost_center",
        "analyze": "분석",
        "logging_status": "리전별 로깅 상태",
        "check_logging": "로깅 확인",
        "logging_status_help": "선택한 리전마다 Model Invocation Logging 설정, 버킷, 가장 최근 로그를 확인합니다 "
        "(모든 리전을 고르면 로깅이 S3로 전달되는 리전마다).",
        "logging_nowhere": "이 계정의 어느 리전에서도 Model Invocation Logging이 S3로 전달되지 않습니다. Bedrock을 "
        "쓰는 리전마다 `python setup_bedrock_logging.py --regions REGION` 를 실행하세요.",
        "checking_logging": "Model Invocation Logging 확인 중...",
        "logging_ok": "**{region}**: 로깅이 켜져 있습니다. 가장 최근 로그 {newest}.",
        "logging_no_logs": "**{region}**: {bucket} 으로 로깅이 켜져 있지만 아직 로그가 없습니다. 첫 Bedrock "
        "호출 후 몇 분 안에 나타납니다.",
        "logging_disabled": "**{region}**: S3로의 Model Invocation Logging이 꺼져 있습니다. `{command}` 를 실행하세요.",
        "logging_problems": "**{region}**: {problems}. 로그가 전달되게 하려면 `{command}` 를 실행하세요.",
        "logging_key": "**{region}**: {bucket} 으로 로깅이 켜져 있지만 Bedrock이 로그를 전달할 수 없습니다: "
        "{problems}.",
        "logging_unchecked": "**{region}**: {bucket} 으로 로깅이 켜져 있지만 모두 확인하지는 못했습니다: "
        "{problems}. 이 항목을 읽을 수 있을 때까지 로그 전달은 확인되지 않습니다 ({reads}).",
        "logging_unconfirmed": "**{region}**: {bucket} 으로 로깅이 켜져 있지만 Bedrock이 버킷에 쓸 수 있는지 확인되지 "
        "않았습니다: {problems}. 버킷 정책이 {service} 에 `{folder}` 아래 s3:PutObject 를 허용하는지 확인하세요 "
        "({reads}).",
        "logging_reads": "{policy} 에 이 확인이 읽는 항목이 있습니다",
        "logging_error": "**{region}**: 확인할 수 없습니다: {error}",
        "logging_denied": "**{region}**: {problems}. 설정 스크립트는 자신이 쓰지 않은 정책 문을 바꾸지 않습니다: "
        "{statement} 이(가) {service} 에 적용되지 않도록 바꾼 뒤 (예: 조건 `StringNotEqualsIfExists` "
        "`aws:PrincipalServiceName` = `{service}` 추가) 다시 확인하세요.",
        "need_dates": "시작일과 종료일을 고르세요.",
        "future_start": "기간이 오늘({tz} 기준 {today}) 이후에 시작해 아직 로그가 없습니다. "
                        "오늘까지의 시작일을 고르세요.",
        "need_region": "리전을 하나 이상 고르세요.",
        "link_no_region": "리전을 하나 이상 고르세요. 링크의 알 수 없는 리전은 뺐습니다({regions}). 그 대신 모든 "
                          "리전을 읽지는 않습니다.",
        "link_no_region_partition": "리전을 하나 이상 고르세요. 링크에서 이 도구가 읽지도 가격을 매기지도 않는 "
                                    "파티션의 리전은 뺐습니다({regions}). 그 대신 모든 리전을 읽지는 않습니다.",
        "need_logs_dir": "읽을 로그 폴더를 입력하세요.",
        "need_tag_key": "묶음 기준으로 쓸 requestMetadata 태그 키를 입력하세요.",
        "demo_banner_no_credentials": "**데모 모드**: AWS 자격 증명을 찾지 못해 생성된 예시 데이터를 보여 줍니다. "
        "실제 계정의 사용량이 아닙니다. 자격 증명을 설정한 뒤(`aws configure` 또는 `aws sso login`) 페이지를 "
        "새로 고치고 사이드바에서 Athena를 고르세요.",
        "demo_banner": "**데모 모드**: 생성된 예시 데이터이며 실제 계정의 사용량이 아닙니다.",
        "sidebar_changed": "마지막 분석 이후 사이드바 설정이 바뀌었습니다. **분석** 을 눌러 새로 고치세요.",
        "press_analyze": "사이드바에서 데이터 소스, 기간, 필터를 고른 뒤 **분석** 을 누르세요.",
        "loading": "로그를 읽는 중...",
        "load_failed": "로그를 읽지 못했습니다 (Amazon Bedrock 탭에 이유가 있습니다)",
        "q_loaded": "{source}에서 읽었습니다",
        "q_load_failed": "Amazon Q / Kiro 데이터를 읽지 못했습니다 (이유는 아래에 있습니다)",
        "loaded_from": "{source}(으)로 {at}에 {seconds}초 동안 읽었습니다 (이번 기간과 이전 기간)",
        "progress_listing_logs": "로그 목록 조회",
        "progress_reading_logs": "로그 읽기",
        "progress_pricing": "가격 계산",
        "progress_athena_regions": "Athena 리전",
        "progress_athena_region": "Athena {region}",
        "progress_listing_qdev": "Amazon Q 로그 목록 조회",
        "progress_reading_qdev": "Amazon Q 로그 읽기",
        "progress_activity_reports": "활동 보고서",
        "progress_kiro_user_reports": "Kiro 사용자 보고서",
        "progress_objects": "객체",
        "progress_day_folders": "일별 폴더",
        "progress_fact_rows": "집계 행",
        "progress_files": "파일",
        "progress_regions": "리전",
        "progress_objects_listed": "객체 {objects:,} 개",
        "progress_records_parsed": "레코드 {records:,} 개 파싱",
        "progress_records_cached": "레코드 {records:,} 개 파싱, 캐시된 객체 {cached:,} 개",
        "progress_kept": "이전 갱신의 결과를 그대로 사용",
        "progress_query_state": "{state}, {seconds:.0f}초, {scanned} 스캔 (${cost:.4f})",
        "progress_regions_scanned": "{scanned} 스캔, ${cost:.4f}",
        "progress_count_of": "{unit} {total:,} 개 중 {done:,} 개",
        "progress_count": "{unit} {done:,} 개",
        "progress_size_of": "{total} 중 {done}",
        "setup_needed": "설정이 필요합니다: {message}",
        "usage_error": "분석할 수 없습니다: {message}",
        "scope_line": "{period} · {regions} · 비교 기간 {previous}",
        "previous_through": ", 마지막 날 {end} 은 오늘이 지난 시각인 {hour} 까지만",
        "previous_none": "이전 기간에는 로그된 호출이 없어 변화율을 보여 주지 않습니다.",
        "previous_gap": "이전 기간에는 {first} 이전에 로그된 호출이 없습니다 ({of}일 중 {days}일): 로깅이 그때 "
                        "시작되었다면 변화율은 서로 다른 기간을 비교한 것입니다.",
        "scan_line": "로그 객체 {objects} 개 ({megabytes} MB) 를 읽었습니다: {engine}.",
        "source_read_athena": "Amazon Athena, Model Invocation Logs 테이블 (워크그룹 {workgroup})",
        "source_read_local": "DuckDB, 로컬 로그 파일 {folder}",
        "source_read_cache": " (열 형식 캐시 {folder})",
        "scan_cost": "Athena 쿼리 비용 (이번 기간과 직전 기간): {cost}.",
        "scan_payloads": "/data/ 아래 본문 객체 {count} 개는 읽지 않았습니다: 100 KB 를 넘는 요청 또는 응답 본문을 "
        "담을 뿐 레코드가 아닙니다.",
        "metric_cost": "예상 비용",
        "list_prices": "정가",
        "book_prices": "가격표의 정가",
        "metric_cost_help": "{exact}, 추정값: 로그의 토큰 수 (와 로그된 요청 본문의 생성된 이미지, 동영상 초, 리랭크 "
        "쿼리, 임베딩 모델에 준 이미지; Stability AI 단일 이미지 모델은 호출 1건을 이미지 1장으로) x 모델, 소스 "
        "리전, 엔드포인트 계열, 서비스 티어, 컨텍스트 티어, 날짜별 {prices}. 변화율은 같은 길이의 직전 기간과 비교한 "
        "값입니다 (기간이 오늘 끝나면 그 마지막 날은 같은 시각까지).",
        "metric_calls": "호출 수",
        "metric_calls_help": "모델 호출 {exact} 건 (오류 포함).",
        "metric_input": "입력 토큰",
        "metric_input_help": "입력 토큰 {exact}: Model Invocation Logs의 정확한 값입니다.",
        "metric_output": "출력 토큰",
        "metric_output_help": "출력 토큰 {exact}: Model Invocation Logs의 정확한 값입니다.",
        "metric_cache_read": "캐시 읽기",
        "metric_cache_read_help": "프롬프트 캐시에서 읽은 토큰 {exact}: Model Invocation Logs의 정확한 값입니다.",
        "metric_cache_write": "캐시 쓰기",
        "metric_cache_write_help": "프롬프트 캐시에 쓴 토큰 {exact}: Model Invocation Logs의 정확한 값입니다.",
        "accuracy_note": "토큰 수는 Model Invocation Logs의 정확한 값입니다. 비용은 추정값입니다: 로그의 토큰 수 (와 "
        "로그된 요청 본문의 생성된 이미지, 동영상 초, 리랭크 쿼리, 임베딩 모델에 준 이미지; Stability AI 단일 이미지 "
        "모델은 호출 1건을 이미지 1장으로) x 모델, 소스 리전, 엔드포인트 계열, 서비스 티어, 컨텍스트 티어, 날짜별 "
        "{prices} (캐시 쓰기는 5분 단가, 로그된 응답이 "
        "1시간이라고 하거나, 응답이 /data/에 따로 전달된 호출은 로그된 요청의 모든 캐시 중단점이 1시간을 요청할 "
        "때만 1시간 단가){split}.",
        "unpriced_note": "{calls} 건의 호출은 가격표에 가격이 없어 비용에서 빠졌습니다 (경고 참고).",
        "who_line": "사용자 {users} · 애플리케이션 {applications} · 모델 {models} · 오류 {errors}",
        "warnings": "경고 {count} 건: 일부 수치가 불완전할 수 있습니다",
        "no_calls": "이 기간, 범위, 필터에 해당하는 호출이 없습니다.",
        "no_calls_unknown": "이 기간, 범위, 필터에 해당하는 {read} 의 호출이 없습니다. 로그 폴더에 {missing} 의 로그가 "
        "없어 그 수치는 0이 아니라 알 수 없습니다.",
        "chart_top": "비용 상위 10: {group}",
        "chart_models": "모델별 비용 비중",
        "chart_daily": "일별 비용과 토큰",
        "stack_by": "쌓는 기준",
        "daily_cost": "일별 비용 (USD)",
        "daily_tokens": "일별 토큰 (입력, 출력, 캐시)",
        "chart_heatmap": "요일과 시간대별 비용",
        "chart_regions": "소스 리전별 비용",
        "hour_axis": "시각 ({tz})",
        "cost_usd": "비용 (USD)",
        "tokens": "토큰",
        "other": "기타",
        "not_set": "(없음)",
        "empty_value": "(빈 값)",
        "tables": "표",
        "table_group": "{group}별",
        "table_detail": "애플리케이션 x 모델 x 리전",
        "table_user_app": "사용자 x 애플리케이션 x 모델 x 리전",
        "table_models": "모델",
        "table_daily": "일별",
        "table_regions": "리전",
        "table_unpriced": "가격 없는 모델",
        "download_csv": "CSV 다운로드",
        "q_scope_line": "{period} · {source}",
        "q_requests": "요청 수",
        "q_requests_help": "요청 {exact} 건: 채팅 {chat}, 인라인 {inline}, /dev {dev}. Kiro 도구 결과 턴 {tools} "
        "건은 따로 셉니다.",
        "q_input": "입력 토큰",
        "q_output": "출력 토큰",
        "q_tokens_help": "토큰 {exact}: 프롬프트 로그의 텍스트를 Claude 토크나이저의 근사치로 센 값입니다.",
        "q_users": "활성 사용자",
        "q_virtual_cost": "가상 비용(Kiro 포함)",
        "q_virtual_cost_help": "{exact}, 추정값: Kiro 요청을 포함한 모든 요청의 토큰을 {prices}로 계산한 비용이며, "
        "요청마다 적용한 모델의 가격을 씁니다(모델을 밝히지 않은 요청은 {model}; 모델별 가상 비용 표 참고). "
        "청구되는 금액이 아닙니다.",
        "q_subscribed_cost_card": "Q Developer 가상 비용",
        "q_subscribed_cost_help": "{exact}, 추정값: Amazon Q Developer 요청의 토큰을 {prices}로 계산한 비용이며"
        "(요청마다 적용한 모델의 가격, 모델을 밝히지 않은 요청은 {model}), 구독료와 비교합니다. 청구되는 금액이 "
        "아닙니다.",
        "q_subscription": "Pro 구독료",
        "q_subscription_help": "{exact}, 추정값: Amazon Q Developer 사용자 {users}명 x 월 {price}(Pro 정가)를 기간의 "
        "일수에 비례해 나눈 값입니다. AWS 는 구독한 모든 사용자에게 청구합니다. Kiro 사용자는 이 구독 대신 Kiro "
        "좌석 요금을 냅니다.",
        "q_subscribed_cost": "Amazon Q Developer 요청의 가상 API 비용",
        "q_accuracy_note": "요청 수, 사용자 수, 활동 보고서 수치와 Kiro 크레딧은 정확한 값입니다(로그와 보고서의 "
        "값). 토큰 수는 추정값입니다: 프롬프트 로그의 텍스트를 Claude 토크나이저의 근사치로 셉니다. 여기의 모든 "
        "비용은 추정값입니다: 가상 비용은 그 토큰을 {prices}로 계산한 비용으로, AWS 가 청구하는 금액이 "
        "아닙니다(Amazon Q Developer Pro 는 구독한 사용자마다 청구됩니다). 구독료와 Kiro 비용은 공개 가격을 일수에 "
        "비례해 나눈 값이고, 월말 수치는 선형 예측입니다. 프롬프트와 응답 내용은 보여 주지 않습니다.",
        "q_no_data": "이 기간에 Amazon Q Developer 나 Kiro 의 프롬프트 로그나 보고서가 없습니다.",
        "q_need_dir": f"사이드바의 **{_Q_SECTION['ko']}** 에서 **{_Q_FOLDER['ko']}** 에 로그 폴더를 입력하세요.",
        "q_enable_help": _ENABLE_Q_KO,
        "q_type_chat": "채팅",
        "q_type_inline": "인라인",
        "q_type_dev": "/dev",
        "q_type_tool_result": "도구 결과 턴",
        "q_chart_users": "토큰 상위 10 사용자",
        "q_chart_types": "유형별 요청 수와 도구 결과 턴",
        "q_context_window": "컨텍스트 윈도 사용률 ({window} 토큰)",
        "q_context_avg": "평균",
        "q_context_max": "최대",
        "q_context_over_80": "80% 초과",
        "q_chart_daily": "일별 요청 수",
        "q_chart_cost": "Amazon Q Developer: 가상 API 비용과 구독료 비교",
        "q_cost_below": "구독 사용자의 Amazon Q Developer 요청에 대해서는 구독료가 같은 요청을 API 로 처리했을 때의 "
        "비용보다 {amount} 더 많습니다.",
        "q_cost_above": "구독 사용자의 Amazon Q Developer 요청을 API 로 처리했다면 구독료보다 {amount} 더 들었을 "
        "것입니다.",
        "q_table_users": "사용자별",
        "q_table_types": "유형별",
        "q_table_products": "제품별",
        "q_table_daily": "일별",
        "q_table_limits": "월간 한도 ({month})",
        "q_table_activity": "사용자별 활동",
        "q_table_estimate": "활동 보고서 기반 추정 토큰",
        "q_estimate_note": "활동 보고서 기반 추정 토큰 (추정치: 보고서 수치 x 프롬프트 로그에서 측정한 요청당 "
        "평균 토큰. Chat_MessagesSent 는 Amazon Q 와 주고받은 메시지를 모두 세므로 채팅 요청은 그 절반을 "
        "올림한 값입니다): {total}.",
        "q_estimate_left_out": "{types} 제외: 측정할 프롬프트 로그 요청이 없어 추정할 수 없습니다.",
        "q_pool_note": "월간 한도의 계정 전체 풀은 계정 전체의 것입니다: 풀과 사용량은 사용자 필터와 관계없이 "
        "그달 보고서의 모든 사용자({users})를 셉니다. 개인별 할당은 없습니다.",
        "q_table_people": "사용자",
        "q_table_models": "모델별 가상 비용",
        "q_virtual_input": "가상 입력 비용",
        "q_virtual_output": "가상 출력 비용",
        "kiro_header": "Kiro 크레딧",
        "kiro_scope": "Kiro 사용자 보고서 {files} 개 · {month} 월 누계: {days_in_month} 일 중 {days} 일 보고됨",
        "kiro_credits": "요금제 내 Kiro 크레딧",
        "kiro_credits_help": "요금제 월 할당량에서 쓴 크레딧 {exact}, 초과 크레딧 {overage}.",
        "kiro_overage": "초과 크레딧",
        "kiro_cost": "Kiro 비용",
        "kiro_cost_help": "{exact}, 추정값: 공개된 요금제 가격을 기간의 일수에 비례해 나눈 값({seats})과 요금제 "
        "가격으로 계산한 초과 크레딧({overage})입니다. 청구서 금액이 아닙니다.",
        "kiro_unpriced_tiers": "공개 가격이 없는 요금제는 빠집니다: {unpriced}.",
        "kiro_overage_help": "요금제 월 할당량을 넘어 쓴 크레딧 {exact}.",
        "kiro_flagged": "할당량 근접·초과",
        "kiro_flagged_help": "초과 사용 중이거나, 월 할당량의 80% 에 이르렀거나, 월말까지 넘을 것으로 예상되는 사람.",
        "kiro_in_plan": "요금제 내",
        "kiro_used": "사용량 (초과 포함)",
        "kiro_chart_users": "Kiro 크레딧 상위 10 사용자 (초과 크레딧 포함)",
        "kiro_chart_daily": "일별 Kiro 크레딧",
        "kiro_chart_models": "모델별 Kiro 메시지",
        "kiro_table_users": "Kiro 사용자별",
        "kiro_table_allowance": "Kiro 할당량 ({month})",
        "kiro_allowance_note": "Kiro 할당량: {note}.",
        "kiro_table_clients": "Kiro 클라이언트별",
        "kiro_table_models": "Kiro 모델별",
        "kiro_prices_note": "요금제 가격과 할당량: {tiers}; 초과 크레딧당 {overage} ({as_of} 기준, 출처는 "
        "docs/amazon-q.md).",
        "credits_label": "크레딧",
        "messages_label": "메시지",
        "gov_scope_line": "{regions} · 사이드바의 기간, 시간대, 필터가 적용됩니다. 바꾼 뒤 **분석** 을 누르세요. "
        "수치는 bedrock_tracker_cli.py 거버넌스 모드의 결과와 같습니다 (docs/governance.md).",
        "budgets_header": "예산",
        "budgets_use_example": "예제 예산 사용 (examples/budgets.toml)",
        "budgets_path": "예산 파일 (TOML 또는 JSON)",
        "budgets_path_help": "bedrock_tracker_cli.py --check-budgets 와 같은 [[budgets]] 테이블입니다 (형식은 "
        "docs/governance.md). 기본값은 $BEDROCK_USAGE_BUDGETS 에서 읽습니다.",
        "budgets_need_file": "예산 파일을 입력하면 예산마다 이번 달 지출, 소진 추이(burn-down), 초과 여부를 "
        "보여 줍니다 (형식은 docs/governance.md).",
        "budgets_loading": "예산을 확인하는 중...",
        "budgets_scope": "기준일 {as_of} ({tz}, 기간의 마지막 날), 월 누계는 {month_start} 부터. 지출은 예상 "
        "비용입니다 (로그의 토큰 수 x {prices}).",
        "budgets_breached": "**예산 {total} 개 중 {count} 개 초과**: {names}",
        "budgets_ok": "초과한 예산이 없습니다 ({total} 개 확인).",
        "budgets_forecast_over": "월말 예상이 월 예산을 넘습니다 (아직 초과 전): {names}",
        "budgets_days_read": "아래 조회 경고의 수는 이번 달만이 아니라 읽은 모든 날, {start} .. {end} ({tz}) 의 "
        "것입니다 (예측에 쓰는 이번 달 이전 날짜 포함):",
        "budget_status_ok": "정상",
        "budget_status_breached": "초과",
        "budget_status_forecast": "월말 초과 예상",
        "budget_spent_of": "이번 달 **{spent}** / {monthly} ({share})",
        "budget_spent": "이번 달 **{spent}**",
        "budget_day": "기준일 {day}",
        "budget_day_of": "기준일 {day} / 일 {daily}",
        "budget_forecast": "월말 예상 {forecast}",
        "burn_actual": "누적 지출",
        "burn_forecast": "예상",
        "burn_budget": "월 예산",
        "burn_pace": "균등 소진선",
        "burn_legend": ":orange[**━**] 지금까지 누적 지출 · :orange[**┅**] 월말까지 예상 · :red[**━**] 월 예산 · "
        ":gray[**╌**] 균등 소진선 (월 예산을 날짜에 고르게 나눈 값)",
        "forecast_method": "예상 방법: 월 누계 비용 + 최근 {days} 일({span}, 기준일 포함, 호출 없는 날은 0, 로그 시작 "
        "전 날짜 제외)의 일평균 비용 x 이번 달 남은 일수.",
        "ends_today": "오늘 이후 날짜에는 아직 로그가 없어 오늘까지만 집계합니다.",
        "budget_all_spend": "Bedrock 전체 지출",
        "forecast_method_today": "예상 방법: 월 누계 비용 + 오늘 이전 {days} 일({span}, 호출 없는 날은 0, 로그 시작 "
        "전 날짜 제외)의 일평균 비용 x 이번 달 남은 일수. 아직 끝나지 않은 오늘은 최소한 그 평균만큼으로 계산합니다.",
        "budgets_table": "예산 상태",
        "burndown_table": "일별 소진 추이",
        "anomalies_header": "애플리케이션별 비용 급증",
        "anomaly_rule": "규칙",
        "anomaly_factor": "배수",
        "anomaly_factor_help": "비용이 기간 중앙값의 이 배수를 넘는 날을 표시합니다 (--anomaly-factor).",
        "anomaly_window": "기간 (일)",
        "anomaly_window_help": "그날 앞의 이 일수의 중앙값을 기준으로 삼습니다 (--anomaly-window).",
        "anomaly_min_cost": "최소 비용 (USD)",
        "anomaly_min_cost_help": "이보다 적은 날은 표시하지 않습니다 (--anomaly-min-cost).",
        "anomalies_loading": "비용 급증일을 찾는 중...",
        "anomaly_method": "방법: 애플리케이션의 하루 예상 비용이 {min_cost} 이상이고 직전 {window}일 중앙값의 "
        "{factor}배를 넘으면 비용 급증일로 표시합니다(호출이 없는 날은 $0). 직전 {window}일의 로그가 없는 날은 "
        "판단하지 않습니다.",
        "anomalies_found": "{period} 기간에 **비용 급증일 {count}건**",
        "anomalies_none": "{period} 기간에 비용 급증일이 없습니다.",
        "anomalies_unjudged": "판단하지 않은 날 (이력 부족): {days}",
        "anomalies_unpriced": "기간 중 {calls} 건의 호출은 가격이 없어 여기 비용에 없습니다.",
        "anomalies_days_read": "아래 조회 경고의 수는 이 기간만이 아니라 읽은 모든 날, {start} .. {end} ({tz}) 의 "
        "것입니다 (중앙값과 예측에 쓰는 기간 이전 날짜 포함):",
        "anomalies_chart": "애플리케이션별 일일 예상 비용 (동그라미: 비용 급증일)",
        "anomaly_marker": "비용 급증",
        "baseline_label": "{window} 일 중앙값",
        "anomalies_table": "비용 급증일",
        "forecast_table": "월말 예상 ({month})",
        "anomaly_daily_table": "일별 비용",
        "reconcile_header": "CloudWatch, Cost Explorer 와의 대사",
        "reconcile_needs_athena": "대사는 AWS 계정의 CloudWatch 지표와 Cost Explorer 를 읽습니다. **Athena** 소스를 "
        "고르고 (iam/report-reader.json 권한의 자격 증명) **분석** 을 누르세요.",
        "reconcile_intro": "소스 리전과 UTC 날짜별 ({start} .. {end}) 로그의 호출 수를 CloudWatch 가 계량한 호출 수와, "
        "예상 비용을 Cost Explorer 의 비용과 비교합니다. 리전마다 CloudWatch 를, Cost Explorer 를 한 번 호출합니다 "
        "(Cost Explorer 요청당 USD 0.01).",
        "reconcile_threshold": "커버리지 기준 (%)",
        "reconcile_threshold_help": "로그 호출 수 / 계량 호출 수가 이보다 낮은 리전-날짜를 표시합니다 "
        "(--coverage-threshold).",
        "reconcile_run": "대사 실행",
        "reconcile_loading": "CloudWatch 와 Cost Explorer 를 읽는 중...",
        "reconcile_changed": "이 대사 이후 설정이 바뀌었습니다. **대사 실행** 을 눌러 새로 고치세요.",
        "billing_truth": "**Cost Explorer 가 청구의 기준입니다** (AWS 가 청구하는 금액, 크레딧 적용 전 정가). 이 "
        "도구의 비용은 로그의 토큰 수 x {prices}로 낸 추정값이고, CloudWatch 지표는 Bedrock 이 처리한 양을 셉니다. "
        "커버리지 = 로그 호출 수 / 계량 호출 수 로 로그가 모든 호출을 담았는지 봅니다.",
        "rec_logged": "로그 호출 수",
        "rec_metered": "계량 호출 수",
        "rec_coverage": "커버리지",
        "rec_estimated": "예상 비용",
        "rec_billed": "청구 (Cost Explorer)",
        "rec_batch": "배치 추론 청구 (별도)",
        "rec_batch_help": "배치 추론 청구는 청구 합계에 들어가지만 로그의 예상 비용과 비교하지 않습니다: "
        f"{_BATCH_NOT_LOGGED['ko']}. 리전별 금액은 리전·날짜 표의 배치 청구 열과 경고에 있습니다.",
        "rec_flagged": "**로그가 없거나 커버리지 {threshold} 미만인 리전-날짜 {count} 건**: {days}",
        "rec_models_below": "; 임계값 미만 모델: {models}",
        "rec_all_ok": "계량된 호출이 있는 모든 리전-날짜의 로그 커버리지가 {threshold} 이상입니다.",
        "rec_heatmap": "리전과 UTC 날짜별 커버리지 (로그 / 계량 호출 수)",
        "rec_table_region_day": "리전, UTC 날짜별",
        "rec_table_model_day": "리전, UTC 날짜, ModelId 별",
        "rec_table_cost": "모델·모드별 비용",
        "rec_table_unmapped": "모델이나 티어와 연결되지 않은 청구",
        "callers_header": "호출자별 청구 비용과 예상 비용",
        "callers_needs_logs": "호출자별 청구서는 사용자 계정의 것입니다. 로그가 있는 **Athena** 또는 **로컬** 소스를 "
        "선택하고 **분석** 을 누르세요.",
        "callers_intro": "호출자(IAM 주체, 보고서의 사용자·애플리케이션 이름)별, 모델별, UTC 날짜별, 월별로 "
        "AWS 가 청구한 금액을 로그 기반 예상 비용과 나란히 보여 줍니다. 청구 데이터는 24~48시간 늦게 "
        "도착합니다 (docs/governance.md).",
        "callers_source": "청구 데이터",
        "callers_source_cur_dir": "CUR 2.0 내보내기 (폴더)",
        "callers_source_cur_athena": "CUR 2.0 내보내기 (Athena)",
        "callers_source_cost_explorer": "Cost Explorer (IAM 주체 태그)",
        "callers_cur_dir": "내보내기 폴더",
        "callers_cur_dir_help": "내보내기의 로컬 사본: data/BILLING_PERIOD=YYYY-MM/ 을 담은 폴더 "
        "(예: aws s3 sync s3://BUCKET/PREFIX/EXPORT-NAME/ ./cur).",
        "callers_cur_region": "내보내기 테이블의 리전",
        "callers_cur_region_help": "setup_athena_bucket.py --cur 가 cur2_export 테이블을 만든 리전입니다.",
        "callers_ce_tag": "IAM 주체 태그",
        "callers_ce_tag_help": "IAM 사용자·역할·세션의 비용 할당 태그로, Cost Explorer 의 이름"
        "(iamPrincipal/KEY)을 씁니다. Cost Explorer 에는 IAM 주체로 묶는 차원이 없습니다.",
        "callers_ce_names": "태그 값이 가리키는 것",
        "callers_account": "계정 (선택)",
        "callers_account_help": "청구서를 비교할 계정입니다. 비워 두면 로그의 계정입니다.",
        "callers_run": "호출자별 비교",
        "callers_loading": "청구 데이터를 읽는 중...",
        "callers_changed": "이 비교 이후 설정이 바뀌었습니다. **호출자별 비교** 를 눌러 새로 고치세요.",
        "callers_truth": "**청구 데이터가 기준입니다** ({source}): AWS 가 IAM 주체별로 청구한 금액이며 24~48시간 늦게 "
        "도착합니다. 예상 비용은 로그의 토큰 수 x {prices}입니다. 차이 = 예상 - 청구, 비율 = 예상 / 청구이며, "
        "가격 없는 로그 호출이 있는 행은 둘 다 비워 둡니다.",
        "callers_billed": "청구",
        "callers_estimated": "예상",
        "callers_difference": "예상 - 청구",
        "callers_difference_unpriced": "표시하지 않습니다: 예상 비용에 가격 없는 로그 호출 {calls}건이 빠져 있어 "
        "예상 - 청구가 이 호출들을 청구서와의 차이로 읽게 됩니다. 표에서는 로그 호출 모두에 가격이 있는 행에만 차이가 "
        "있습니다.",
        "callers_unattributed": "주체 없는 청구",
        "callers_batch": "배치 추론 청구",
        "callers_batch_help": "읽은 리전의 배치 추론 청구 항목은 어느 호출자에게도 넣지 않고 로그의 예상 비용과 "
        f"비교하지 않습니다: {_BATCH_NOT_LOGGED['ko']}. 배치 추론 탭에 항목이 있으며, 읽지 않은 리전의 항목도 함께 "
        "있습니다 (그 금액은 읽지 않은 리전에 들어갑니다).",
        "callers_unread": "읽지 않은 리전",
        "callers_unread_help": "로그를 읽지 않은 리전의 청구 전체 (배치 추론 포함) 이며 로그와 비교하지 않습니다. "
        "청구 + 주체 없는 청구 + 배치 추론 청구 + 읽지 않은 리전 = 기간의 청구입니다. 다른 리전의 청구 탭에는 배치를 "
        "뺀 청구가 있고, 배치 항목은 배치 추론 탭에 읽지 않은 리전의 것으로 나옵니다.",
        "callers_missing": "**로그 없이 청구된 호출자 {count}명** (로깅 누락, 로깅 꺼짐, 또는 다른 리전): {names}",
        "callers_all_logged": "청구서에 있는 모든 호출자에게 로그가 있습니다.",
        "callers_unbilled": "**청구 없이 로그만 있는 호출자 {count}명** (아직 청구 전일 수 있음): {names}",
        "callers_table_caller": "호출자별",
        "callers_table_model": "호출자·모델·모드별",
        "callers_table_day": "호출자·UTC 날짜별",
        "callers_table_month": "월별",
        "callers_month_note": "각 금액은 읽은 리전의 것이며, 읽지 않은 리전 열만 다른 리전의 청구 전체(배치 포함)를 "
        "담습니다. 청구, 주체 없는 청구, 배치, 읽지 않은 리전을 더하면 그 달의 청구입니다.",
        "callers_batch_note": "읽지 않은 리전의 항목은 배치 추론 청구가 아니라 그 리전의 다른 청구와 함께 읽지 않은 "
        "리전에 들어갑니다. 배치 추론 청구는 읽은 리전의 것입니다.",
        "callers_table_unattributed": "주체 없는 청구",
        "callers_table_batch": "배치 추론",
        "callers_table_outside": "다른 리전의 청구",
        "models_line": "사이드바에서 고른 모델의 호출만: {models}.",
        "models": "모델",
        "models_all": "모든 모델",
        "models_help": "모델 표에 나오는 이름 기준으로 이 모델들의 호출만 봅니다(모델마다 모든 엔드포인트와 프로파일 "
        "포함). bedrock_tracker_cli.py --model 과 같지만 기록된 모델 ID가 아닌 모델 단위이며, 로그를 다시 읽지 않고 "
        "모든 탭에 바로 적용됩니다.",
        "link_ignored": "이 링크의 설정 중 쓸 수 없는 것은 뺐습니다: {params}.",
        "chart_top_click": "막대를 누르면 그 항목으로 드릴다운합니다.",
        "chart_cost_per_1k": "모델별 호출 1,000건당 비용",
        "chart_cost_per_1k_note": "기간 중 예상 비용 / 가격이 있는 호출 수 x 1,000.",
        "cost_per_1k": "호출 1,000건당 USD",
        "chart_lines": "기간별 지출 추이",
        "lines_by": "선 기준",
        "top_n": "상위",
        "lines_note": "기간 중 비용이 가장 큰 {shown}개 ({group}, 전체 {total}개), 항목마다 선 하나.",
        "partial_today": "오늘 (집계 중)",
        "partial_no_logs": "아직 로그 없음",
        "focus_by": "드릴다운 기준",
        "focus_none": "전체",
        "focus_pick_user": "사용자",
        "focus_pick_application": "애플리케이션",
        "focus_pick_model": "모델",
        "focus_placeholder": "하나를 고르세요 (비용 큰 순)",
        "focus_clear": "해제",
        "detail_header": "{what}: {value}. 이 탭의 모든 수치, 차트, 표가 이 항목의 호출만 보여 줍니다.",
        "detail_share": "비용 비중",
        "detail_share_help": "이 범위(기간, 리전, 필터, 모델)의 {scope} 중 {cost}. 가격 있는 비용만 셉니다: 가격 없는 "
        "호출은 어느 쪽에도 없습니다.",
        "cost_unpriced": "가격 없음",
        "cost_partial": "{amount} (가격 있는 부분)",
        "cost_no_change": "변화율은 없습니다: 이 기간이나 이전 기간에 가격 없는 호출이 있어 비용이 가격 있는 "
        "부분뿐이므로 두 기간을 비교할 수 없습니다.",
        "cost_unpriced_help": "가격표에 가격이 있는 호출이 없어 비용은 $0 이 아니라 알 수 없습니다 (경고 참고).",
        "estimate_partial_help": "가격 있는 부분만입니다: 로그 호출 {calls}건은 가격표에 가격이 없어 빠져 있습니다 "
        "(경고 참고).",
        "chart_priced_only": "비용은 가격 있는 호출만 셉니다: 가격 없음 또는 (가격 있는 부분) 으로 표시된 막대와 "
        "조각에는 가격 없는 호출이 있으며, 가격 있는 것 뒤에 놓이고 비중에는 들어가지 않습니다.",
        "detail_error_rate": "오류율",
        "detail_error_rate_help": "호출 {calls}건 중 {errors}건이 오류로 끝났습니다.",
        "detail_cost_per_call": "호출당 비용",
        "detail_cost_per_call_help": "예상 비용 / 가격이 있는 호출 수 (가격이 없는 호출은 뺍니다).",
        "detail_cost_per_1k": "호출 1K건당 비용",
        "detail_tokens_per_call": "호출당 토큰",
        "detail_tokens_per_call_help": "호출당 토큰 {exact}개: 입력, 출력, 캐시 읽기, 캐시 쓰기.",
        "detail_daily": "{by}별 일일 지출",
        "detail_top": "비용 상위: {by}",
        "editor_header": "예산 편집",
        "editor_intro": "예산을 고치거나, 추가(마지막 행)하거나, 지운(행 선택 후 휴지통) 뒤 bedrock_tracker_cli.py "
        "--check-budgets 가 읽는 예산 파일로 저장합니다. 예산마다 애플리케이션, 사용자, 태그 값 또는 "
        "전체 지출 중 하나를 대상으로 월 예산이나 일 예산(USD)을 둡니다. 바뀌는 내용을 보기 전에는 아무것도 "
        "쓰지 않습니다.",
        "editor_scope": "대상 종류",
        "editor_value": "애플리케이션, 사용자 또는 태그 값",
        "editor_value_help": "표에 나오는 애플리케이션·사용자 이름이나 태그 값. 전체 지출이면 비워 둡니다.",
        "editor_tag": "태그 키",
        "editor_tag_help": "태그 예산의 requestMetadata 키. 예: cost_center.",
        "editor_target": "저장할 파일",
        "editor_target_help": "대시보드가 도는 컴퓨터의 .toml 또는 .json 파일. 저장하면 위의 예산 점검이 이 파일을 "
        "읽습니다.",
        "editor_need_target": "예산을 저장할 파일을 입력하세요.",
        "editor_empty": "표에 예산을 추가하면 예산 파일로 저장할 수 있습니다.",
        "editor_bad_suffix": "예산 파일 이름은 .toml 또는 .json 으로 끝납니다.",
        "editor_example": "예제 파일은 프로젝트의 일부입니다. 다른 이름으로 저장하세요.",
        "editor_unchanged": "{path} 에 이미 이 예산이 있습니다.",
        "editor_change_new": "**{path}** 파일이 없습니다. 아래 내용으로 새로 만듭니다.",
        "editor_change": "**{path}** 가 이렇게 바뀝니다 (- 지움, + 추가, 주석은 남지 않습니다):",
        "editor_confirm": "{path} 를 위 내용으로 바꿉니다",
        "editor_create": "파일 만들기",
        "editor_replace": "파일 바꾸기",
        "editor_written": "{detail} 에 저장했습니다. 위의 예산 점검이 이제 이 파일을 읽습니다.",
        "editor_error": "저장하지 못했습니다: {detail}",
    },
}

COLUMNS: dict[str, dict[str, str]] = {
    "en": {
        "user": "User",
        "person": "Person key",
        "user_ids": "User IDs",
        "named_by": "Named by",
        "tool_results": "Tool-result turns",
        "unpriced_tokens": "Unpriced tokens",
        "priced_as": "Priced as",
        "basis": "Price basis",
        "tier": "Tier",
        "clients": "Clients",
        "client_type": "Client",
        "conversations": "Conversations",
        "messages": "Messages",
        "credits_in_plan": "Credits in plan",
        "overage_credits": "Overage credits",
        "total_credits": "All credits (in plan + overage)",
        "seat_usd": "Tier price",
        "overage_usd": "Overage cost",
        "overage_enabled": "Overage on",
        "overage_cap": "Overage cap",
        "share": "Share",
        "principal_type": "Type",
        "principal": "Principal",
        "account": "Account",
        "application": "Application",
        "model": "Model",
        "mode": "Mode",
        "model_id": "Model ID",
        "endpoint": "Endpoint",
        "base_model_id": "Base model ID",
        "source_region": "Region",
        "day": "Day",
        "hour": "Hour",
        "weekday": "Weekday",
        "calls": "Calls",
        "errors": "Errors",
        "input_tokens": "Input tokens",
        "output_tokens": "Output tokens",
        "cache_read_tokens": "Cache read",
        "cache_write_tokens": "Cache write",
        "input_cost_usd": "Input cost",
        "output_cost_usd": "Output cost",
        "cache_write_cost_usd": "Cache write cost",
        "cache_read_cost_usd": "Cache read cost",
        "estimated_cost_usd": "Estimated cost",
        "unpriced_calls": "Unpriced calls",
        "avg_input_tokens": "Avg input",
        "avg_output_tokens": "Avg output",
        "avg_cache_read_tokens": "Avg cache read",
        "avg_cache_write_tokens": "Avg cache write",
        "user_id": "User ID",
        "products": "Products",
        "product": "Product",
        "requests": "Requests",
        "chat": "Chat",
        "inline": "Inline",
        "dev": "/dev",
        "total_tokens": "Total tokens",
        "max_context_share": "Max context use",
        "avg_context_share": "Avg context use",
        "virtual_cost_usd": "Virtual cost",
        "request_type": "Type",
        "avg_total_tokens": "Avg total",
        "report_column": "Report column",
        "report_count": "Report count",
        "measured_avg_tokens": "Measured avg tokens",
        "estimated_tokens": "Estimated tokens",
        "max_input_tokens": "Max input",
        "users": "Users",
        "date": "Date",
        "limit": "Limit",
        "subject": "Who",
        "used": "Used",
        "allowance": "Allowance",
        "projected": "Projected",
        "used_share": "Used share",
        "projected_share": "Projected share",
        "status": "Status",
        "verified": "Verified figure",
        "UserId": "User ID",
        "days_active": "Active days",
        "events": "Events",
        "budget": "Budget",
        "covers": "Covers",
        "monthly_usd": "Monthly",
        "month_to_date_usd": "Month to date",
        "monthly_share": "Used",
        "daily_usd": "Daily",
        "day_usd": "As-of day",
        "forecast_usd": "Forecast",
        "forecast_over": "Forecast over",
        "breaches": "Breaches",
        "kind": "Kind",
        "spend_usd": "Spend",
        "cumulative_usd": "Cumulative",
        "even_pace_usd": "Even pace",
        "remaining_usd": "Remaining",
        "group": "Group",
        "cost_usd": "Cost",
        "baseline_usd": "Median",
        "ratio": "Ratio",
        "month": "Month",
        "as_of": "As of",
        "recent_daily_mean_usd": "Recent daily mean",
        "days_left": "Days left",
        "region": "Region",
        "utc_day": "UTC day",
        "model_key": "ModelId",
        "logged_calls": "Logged calls",
        "metered_calls": "Metered calls",
        "logged_calls_without_metric": "Logged, no metric",
        "coverage": "Coverage",
        "logged_errors": "Logged errors",
        "logged_input_tokens": "Input (logs)",
        "metered_input_tokens": "Input (CloudWatch)",
        "logged_output_tokens": "Output (logs)",
        "metered_output_tokens": "Output (CloudWatch)",
        "billed_cost_usd": "Billed (CE)",
        "delivery_failures": "Delivery failures",
        "cost_difference_usd": "Estimated - billed",
        "difference_usd": "Estimated - billed",
        "list_cost_usd": "List price (bill)",
        "unattributed_billed_usd": "Billed, no principal",
        "batch_billed_usd": "Batch inference billed",
        UNREAD_BILLED: "Regions not read",
        MONTH_BILL: "Month's bill",
        REGION_NOT_READ: "Region not read",
        "note": "Note",
        "service": "Service",
        "usage_type": "Usage type",
        "cost_per_1k_calls_usd": "Cost per 1K calls",
        "priced_calls": "Priced calls",
    },
    "ko": {
        "user": "사용자",
        "person": "사용자 키",
        "user_ids": "사용자 ID",
        "named_by": "이름 출처",
        "tool_results": "도구 결과 턴",
        "unpriced_tokens": "가격 없는 토큰",
        "priced_as": "적용 가격",
        "basis": "가격 기준",
        "tier": "요금제",
        "clients": "클라이언트",
        "client_type": "클라이언트",
        "conversations": "대화",
        "messages": "메시지",
        "credits_in_plan": "요금제 내 크레딧",
        "overage_credits": "초과 크레딧",
        "total_credits": "전체 크레딧 (요금제 내 + 초과)",
        "seat_usd": "요금제 가격",
        "overage_usd": "초과 비용",
        "overage_enabled": "초과 허용",
        "overage_cap": "초과 한도",
        "share": "비율",
        "principal_type": "유형",
        "principal": "주체",
        "account": "계정",
        "application": "애플리케이션",
        "model": "모델",
        "mode": "모드",
        "model_id": "모델 ID",
        "endpoint": "엔드포인트",
        "base_model_id": "기본 모델 ID",
        "source_region": "리전",
        "day": "날짜",
        "hour": "시각",
        "weekday": "요일",
        "calls": "호출 수",
        "errors": "오류",
        "input_tokens": "입력 토큰",
        "output_tokens": "출력 토큰",
        "cache_read_tokens": "캐시 읽기",
        "cache_write_tokens": "캐시 쓰기",
        "input_cost_usd": "입력 비용",
        "output_cost_usd": "출력 비용",
        "cache_write_cost_usd": "캐시 쓰기 비용",
        "cache_read_cost_usd": "캐시 읽기 비용",
        "estimated_cost_usd": "예상 비용",
        "unpriced_calls": "가격 없는 호출",
        "avg_input_tokens": "평균 입력",
        "avg_output_tokens": "평균 출력",
        "avg_cache_read_tokens": "평균 캐시 읽기",
        "avg_cache_write_tokens": "평균 캐시 쓰기",
        "user_id": "사용자 ID",
        "products": "제품",
        "product": "제품",
        "requests": "요청 수",
        "chat": "채팅",
        "inline": "인라인",
        "dev": "/dev",
        "total_tokens": "전체 토큰",
        "max_context_share": "최대 컨텍스트 사용률",
        "avg_context_share": "평균 컨텍스트 사용률",
        "virtual_cost_usd": "가상 비용",
        "request_type": "유형",
        "avg_total_tokens": "평균 전체",
        "report_column": "보고서 열",
        "report_count": "보고서 수치",
        "measured_avg_tokens": "측정 평균 토큰",
        "estimated_tokens": "추정 토큰",
        "max_input_tokens": "최대 입력",
        "users": "사용자 수",
        "date": "날짜",
        "limit": "한도",
        "subject": "대상",
        "used": "사용량",
        "allowance": "허용량",
        "projected": "월말 예상",
        "used_share": "사용 비율",
        "projected_share": "월말 예상 비율",
        "status": "상태",
        "verified": "확인된 수치",
        "UserId": "사용자 ID",
        "days_active": "활동 일수",
        "events": "이벤트",
        "budget": "예산",
        "covers": "대상",
        "monthly_usd": "월 예산",
        "month_to_date_usd": "월 누계",
        "monthly_share": "사용률",
        "daily_usd": "일 예산",
        "day_usd": "기준일 지출",
        "forecast_usd": "월말 예상",
        "forecast_over": "예상 초과",
        "breaches": "초과 내용",
        "kind": "구분",
        "spend_usd": "지출",
        "cumulative_usd": "누적",
        "even_pace_usd": "균등 소진선",
        "remaining_usd": "잔액",
        "group": "그룹",
        "cost_usd": "비용",
        "baseline_usd": "중앙값",
        "ratio": "배율",
        "month": "월",
        "as_of": "기준일",
        "recent_daily_mean_usd": "최근 일평균",
        "days_left": "남은 일수",
        "region": "리전",
        "utc_day": "UTC 날짜",
        "model_key": "ModelId",
        "logged_calls": "로그 호출 수",
        "metered_calls": "계량 호출 수",
        "logged_calls_without_metric": "지표 없는 로그 호출",
        "coverage": "커버리지",
        "logged_errors": "로그 오류",
        "logged_input_tokens": "입력 (로그)",
        "metered_input_tokens": "입력 (CloudWatch)",
        "logged_output_tokens": "출력 (로그)",
        "metered_output_tokens": "출력 (CloudWatch)",
        "billed_cost_usd": "청구 (CE)",
        "delivery_failures": "전달 실패",
        "cost_difference_usd": "예상 - 청구",
        "difference_usd": "예상 - 청구",
        "list_cost_usd": "정가 (청구서)",
        "unattributed_billed_usd": "주체 없는 청구",
        "batch_billed_usd": "배치 추론 청구",
        UNREAD_BILLED: "읽지 않은 리전",
        MONTH_BILL: "그 달의 청구",
        REGION_NOT_READ: "읽지 않은 리전",
        "note": "비고",
        "service": "서비스",
        "usage_type": "사용 유형",
        "cost_per_1k_calls_usd": "호출 1K건당 비용",
        "priced_calls": "가격 있는 호출",
    },
}

# The kinds of caller logs.identity.derive_principal tells apart (the CLI and CSV files keep these codes).
PRINCIPAL_TYPES = {
    "en": {"application_role": "Application role", "sso_user": "SSO user", "iam_user": "IAM user",
           "assumed_role": "Assumed role", "role": "Role", "federated_user": "Federated user", "root": "Root user",
           "other": "Other", "unknown": "Unknown"},
    "ko": {"application_role": "애플리케이션 역할", "sso_user": "SSO 사용자", "iam_user": "IAM 사용자",
           "assumed_role": "수임한 역할", "role": "역할", "federated_user": "페더레이션 사용자", "root": "루트 사용자",
           "other": "기타", "unknown": "알 수 없음"},
}

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ko": ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"),
}


# Command-line options that messages of the shared code name, and the sidebar fields a dashboard user sets instead:
# in English, and in the other languages where their wording of a message (``NOTICES``) names one; a message still in
# English on such a page takes the English ones.
_CLI_OPTIONS_EN = (
    ("or pass --profile", "or enter an AWS profile under {aws_options} in the sidebar"),
    ("or --profile", "or the AWS profile under {aws_options} in the sidebar"),
    ("give --logs-dir the folder", "set **{logs_dir}** in the sidebar to the folder"),
    ("--logs-dir ", "the folder "),
    ("--user-map ", "the user map "),
    ("--tz ", "the time zone "),
)
CLI_OPTIONS = {"en": _CLI_OPTIONS_EN, "ko": (("--logs-dir 에 ", "사이드바의 **{logs_dir}** 에 "), *_CLI_OPTIONS_EN)}
# (below this amount after rounding, divisor, suffix, decimals) of compact_usd.
_COMPACT_STEPS = ((100, 1, "", 2), (1_000, 1, "", 1), (1e6, 1e3, "K", 1), (1e9, 1e6, "M", 1), (1e12, 1e9, "B", 1))


# "1 calls" -> "1 call": the English nouns the strings count (Korean counts need no plural).
# The prices of a user's price file where its rows priced calls, in each language but English (``priced_at``).
FILE_PRICES = {"ko": "가격 파일 {file} 의 행이 적용되는 호출은 그 파일의 가격, 나머지는 {book}"}
# What the Amazon Q virtual cost is priced at (``qdev.cost.VirtualCost.prices``), by whether a price file was given
# and whether its rows priced a request or the reference price.
# ``qdev.render.kiro_allowance_note`` in the other languages: what the allowances are, the price table (a user's file
# read on top of it) and the days its rows that gave them were read (``qdev.render.kiro_price_source``).
KIRO_ALLOWANCE = {"ko": {"note": "공개된 그대로의 정확한 값: 요금제마다의 월 크레딧 할당량(초과 전 "
                                 "요금제 내 크레딧)으로, 기간의 마지막 가격 적용일의 Kiro 가격 행에서 "
                                 "가져옵니다. 공개된 할당량이 없는 요금제에는 없습니다; 할당량 출처: "
                                 "{table}{on_top} ({read})",
                         "on_top": " 위에 {file} 적용",
                         "read": "{days} 에 읽은 행",
                         "none": "할당량을 준 행 없음"}}
VIRTUAL_PRICES = {"ko": {"list": "Amazon Bedrock 정가",
                         "file": "가격 파일 {file} 의 행이 적용되는 요청은 그 파일의 가격, 나머지는 "
                                 "Amazon Bedrock 정가",
                         "unused": "Amazon Bedrock 정가(가격 파일 {file} 의 어떤 행도 요청이나 기준 가격에 쓰이지 "
                                   "않음)"}}
# ``report.tracker.split_unknown_note`` in the other languages (English takes the report's own words, whose
# possessive a template cannot make).
SPLIT_UNKNOWN = {"ko": "; {calls} 건의 호출은 캐시 쓰기의 5분/1시간 구분을 /data/ 객체에서만 알 수 있어 캐시 쓰기를 "
                       "5분 단가로 계산했습니다"}

_SINGULAR = {noun: noun[:-1] for noun in ("calls", "users", "applications", "models", "errors", "requests",
                                           "budgets", "callers", "region-days", "days", "messages", "tokens",
                                           "credits", "warnings", "objects", "reports", "turns", "invocations",
                                           "files", "records", "rows", "queries")} | {"people": "person"}
# A "1" standing alone (not in 21, 1.5, -1, $1 or x1), then up to two words ("1 input tokens", "1 Kiro user
# reports"), then a counted noun.
_ONE_OF_PLURAL = re.compile(rf"(?<![\w.,$-])1 ((?:[A-Za-z][\w-]* ){{0,2}}?)({'|'.join(_SINGULAR)})\b")


class Text:
    """The strings of one language; unknown languages fall back to English."""

    def __init__(self, lang: str = "en"):
        self.lang = lang if lang in STRINGS else "en"

    def __call__(self, key: str, **values: object) -> str:
        """The string ``key`` with ``values`` filled in (in English, a count of one with a singular noun)."""
        text = STRINGS[self.lang][key].format(**values)
        return _ONE_OF_PLURAL.sub(lambda m: f"1 {m[1]}{_SINGULAR[m[2]]}", text) if self.lang == "en" else text

    def column(self, name: str) -> str:
        """The header of a table column (a ``tag:KEY`` column is headed by its key)."""
        if name.startswith("tag:"):
            return name[4:]
        return COLUMNS[self.lang].get(name, name)

    def weekdays(self) -> list[str]:
        """Monday to Sunday."""
        return list(WEEKDAYS[self.lang])

    def limit_name(self, key: str, english: str) -> str:
        """The name of an Amazon Q Developer limit (``english`` as qdev/limits.py names it)."""
        return LIMIT_NAMES.get(self.lang, {}).get(key, english)

    def limit_status(self, status: str) -> str:
        """A limit's or a Kiro allowance's status: exceeded, in overage, allowance used up, warning, projected to
        exceed, ok, no published limit or allowance."""
        return LIMIT_STATUSES.get(self.lang, {}).get(status, status)

    def principal_type(self, code: str) -> str:
        """A kind of caller in words (``sso_user``: SSO user); a code without words stays as it is."""
        return PRINCIPAL_TYPES[self.lang].get(code, code)

    def limit_subject(self, who: str, account: str) -> str:
        """Whom a limit counts: a person, or ``account`` (the account's pool)."""
        return ACCOUNT_POOL.get(self.lang, who) if who == account else who

    def prices(self, price_file: PriceFile | None, book: str = "list_prices", goes_on: bool = False) -> str:
        """What costs are priced at (``pricing.priced_at``, in this language): the ``book`` string, or the price
        file's prices where its rows priced calls, named as plain text."""
        if self.lang == "en" or price_file is None:
            return plain(priced_at(price_file, self(book), goes_on))
        return FILE_PRICES[self.lang].format(file=plain(price_file.label), book=self(book))

    def virtual_prices(self, cost: VirtualCost) -> str:
        """What the Amazon Q virtual cost is priced at (``VirtualCost.prices``, in this language), the price file
        named as plain text."""
        if self.lang == "en":
            return plain(cost.prices)
        words = VIRTUAL_PRICES[self.lang]
        if cost.price_file is None:
            return words["list"]
        return words["file" if cost.price_file_priced else "unused"].format(file=plain(cost.price_file.label))

    def kiro_allowance(self, kiro: KiroCredits) -> str:
        """What the Kiro allowances are (``qdev.render.kiro_allowance_note``, in this language), the price files named
        as plain text."""
        if self.lang == "en":
            return plain(kiro_allowance_note(kiro))
        words = KIRO_ALLOWANCE[self.lang]
        table, user_file, days = kiro_price_source(kiro, kiro.tiers.values())
        return words["note"].format(table=plain(table),
                                    on_top=words["on_top"].format(file=plain(user_file)) if user_file else "",
                                    read=words["read"].format(days=days) if days else words["none"])

    def split_unknown(self, calls: int) -> str:
        """What the cost note adds for ``calls`` priced calls whose cache writes went at the 5-minute rate for want of
        their split (``report.tracker.split_unknown_note``, in this language), after a semicolon; nothing for none."""
        if not calls:
            return ""
        if self.lang == "en":
            return plain(f"; {split_unknown_note(calls)}")
        return SPLIT_UNKNOWN[self.lang].format(calls=number(calls))

    def notice(self, line: str) -> str:
        """A warning of the shared code in this language: a ``Notice`` in its kind's words here (``NOTICES``), its
        counts with thousands separators, lists joined, fixed phrases (``PHRASES``) and clauses worded here too; in
        English, or a line of no known kind, as it is."""
        words = NOTICES.get(self.lang, {}).get(line.kind) if isinstance(line, Notice) else None
        if words is None:
            return str(line)
        return words.format(**{name: self._notice_value(value) for name, value in line.values.items()})

    def _notice_value(self, value: object) -> str:
        if isinstance(value, Notice):
            return self.notice(value)
        if isinstance(value, int):
            return number(value)
        if isinstance(value, list | tuple):
            return ", ".join(self._notice_value(item) for item in value)
        return self.phrase(str(value))

    def phrase(self, text: str) -> str:
        """A fixed phrase of the shared code (why a call has no price, why an object was skipped) in this language,
        one with figures in it by its form (``PHRASE_FORMS``, a fixed phrase among its values worded here too);
        ``cause: detail`` phrase by phrase; anything else as it is."""
        phrases = PHRASES.get(self.lang, {})
        if text in phrases:
            return phrases[text]
        for english, words in PHRASE_FORMS.get(self.lang, {}).items():
            found = _form_pattern(english).fullmatch(text)
            if found:  # a name in it worded here too (a partition's)
                return words.format(**{name: phrases.get(value, value) for name, value in found.groupdict().items()})
        if ": " not in text:
            return text
        head, rest = text.split(": ", 1)
        return f"{phrases.get(head, head)}: {self.phrase(rest)}"

    def unpriced_marks(self) -> dict[str, str]:
        """How money charts label a cost without a price, or only partly priced (``charts.amounts``)."""
        return {"unpriced": self("cost_unpriced"), "partial": self("cost_partial", amount="{amount}")}

    def partial_labels(self) -> dict[str, str]:
        """How daily charts label days whose figures are not complete (see ``data.partial_days``)."""
        return {"today": self("partial_today"), "no_logs": self("partial_no_logs")}

    def log_source(self, source: LogSource) -> str:
        """Where the logs were read (an engine's ``LogSource``) in this language; in English its ``description``."""
        if source.kind == "athena":
            return self("source_read_athena", workgroup=plain(source.place))
        cache = self("source_read_cache", folder=plain(source.cache)) if source.cache else ""
        return self("source_read_local", folder=plain(source.place)) + cache

    def progress_words(self, said: Said) -> str:
        """Words of a load's progress (``output.progress.Words``) in this language; text as it is (a period)."""
        return said if isinstance(said, str) else self(f"progress_{said.key}", **dict(said.values))

    def step_line(self, update: Progress) -> str:
        """A load's step as its bar says it (``output.progress.progress_line``), in this language."""
        return progress_line(update, self.progress_words)

    def for_dashboard(self, message: str) -> str:
        """A message of the shared code with its command-line options named as the sidebar's fields."""
        for option, field in CLI_OPTIONS[self.lang]:
            message = message.replace(option, field.format(aws_options=self("aws_options"), logs_dir=self("logs_dir")))
        return message


@cache
def _form_pattern(english: str) -> re.Pattern[str]:
    """What matches the texts ``english.format(...)`` makes, each ``{name}`` a group of that name."""
    parts = re.split(r"\{(\w+)\}", english)
    return re.compile("".join(f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts)))


# What Streamlit's Markdown reads as markup: links and images, emphasis, code, HTML, LaTeX ($), :shortcodes:,
# tables, headings. A backslash makes each one a plain character (CommonMark escapes any ASCII punctuation).
_MARKUP = re.compile(r"([\\`*_\[\]()!<>$:|#~{}])")


# Streamlit also turns bare web and e-mail addresses into links, escapes or not: an invisible word joiner (U+2060)
# inside "://", after "www" and after "@" keeps them text.
_BARE_LINK = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)(?=\w)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` shown as written wherever the page reads Markdown: a value from a link, the logs or an error message
    (``[Sign in](https://evil.example)`` stays those characters, never a link or an image)."""
    return _MARKUP.sub(r"\\\1", _BARE_LINK.sub(WORD_JOINER, str(text)))


def usd(value: float | None) -> str:
    """``$1,234.56``; an amount under a cent as the CLI prints it (``$0.0042``, ``<$0.0001``), never ``$0.00``;
    a dash when there is no amount."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return money(value) if 0 < abs(value) < 0.01 else f"${value:,.2f}"


def compact_usd(value: float | None) -> str:
    """A short amount for a metric card: ``$12.34``, ``$173.4``, ``$1.2K``, ``$3.4M``, under a cent ``<$0.01``;
    a dash when there is none.

    The exact figure goes in the card's tooltip.
    """
    if value is None or math.isnan(value):
        return "—"
    if 0 < abs(value) < 0.01:  # as short as a card allows, never $0.00; the exact amount is in the tooltip
        return f"{'-' if value < 0 else ''}<$0.01"
    amount = abs(value)
    for limit, divisor, unit, digits in _COMPACT_STEPS:
        shown = round(amount / divisor, digits)
        if shown * divisor < limit:
            return f"{'-' if value < 0 and shown else ''}${shown:,.{digits}f}{unit}"
    return f"{'-' if value < 0 else ''}${amount / 1e12:,.1f}T"


def percent(share: float | None) -> str:
    """``12.3%`` (one decimal, as the CLI prints a share), ``1,234.5%``; a share that would round to ``0.0%`` but is
    not zero ``<0.1%`` (as an amount under a cent reads ``<$0.01``); a dash when there is no share."""
    if share is None or math.isnan(share):
        return "—"
    if 0 < abs(share) < 0.0005:
        return "-<0.1%" if share < 0 else "<0.1%"
    return f"{share:,.1%}"


def number(value: int | float) -> str:
    """``1,234,567``."""
    return f"{int(value):,}"


def compact(value: int | float) -> str:
    """``4,670`` below 100,000, else ``123.4K``, ``13.40M`` or ``1.23B``: short enough for a metric card."""
    value = int(value)
    if abs(value) < 100_000:
        return f"{value:,}"
    # a unit is used while its figure, rounded as shown, stays under 1,000 (999,960 is 1.00M, never 1,000.0K)
    if abs(round(value / 1e3, 1)) < 1_000:
        return f"{value / 1e3:,.1f}K"
    if abs(round(value / 1e6, 2)) < 1_000:
        return f"{value / 1e6:,.2f}M"
    return f"{value / 1e9:,.2f}B"


def change(current: float, previous: float) -> str | None:
    """``+12.3%`` against the previous period; None when the previous period had nothing to compare with."""
    if not previous or math.isnan(previous) or math.isnan(current):
        return None
    return f"{(current - previous) / previous:+.1%}"
