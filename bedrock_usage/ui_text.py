"""Every string the dashboard shows, in English (default) and Korean, and the number formats it uses."""

from __future__ import annotations

import math

LANGUAGES = {"en": "English", "ko": "한국어"}

_ENABLE_Q_EN = """**Turning on Amazon Q Developer analytics**
1. In the Amazon Q Developer console, open **Settings**.
2. Turn on **prompt logging** and choose an S3 bucket, for example `amazonq-developer-reports-<account>`.
3. Turn on the **user activity report** as well: it gives per-feature counts and the monthly limits.
4. Enter the bucket under **Amazon Q Developer logs** in the sidebar and click **Analyze** (docs/amazon-q.md has
   the details)."""

_ENABLE_Q_KO = """**Amazon Q Developer 분석 켜기**
1. Amazon Q Developer 콘솔에서 **설정(Settings)** 을 엽니다.
2. **프롬프트 로깅(prompt logging)** 을 켜고 S3 버킷을 지정합니다. 예: `amazonq-developer-reports-<account>`
3. **사용자 활동 보고서(user activity report)** 도 켭니다. 기능별 횟수와 월간 한도를 여기서 읽습니다.
4. 사이드바의 **Amazon Q Developer 로그** 에 버킷을 입력하고 **분석** 을 누릅니다 (자세한 내용은
   docs/amazon-q.md)."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Amazon Bedrock usage",
        "tab_bedrock": "Amazon Bedrock",
        "tab_qdev": "Amazon Q Developer",
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
        "qdev_logs": "Amazon Q Developer logs",
        "q_bucket": "S3 bucket",
        "q_bucket_help": "Bucket of the prompt logs and activity reports; empty means "
        "amazonq-developer-reports-<account>.",
        "q_logs_dir": "Folder",
        "q_logs_dir_help": "A local folder laid out like the Amazon Q Developer log bucket.",
        "q_prefix": "Key prefix (optional)",
        "q_prefix_help": "The prefix in front of AWSLogs/; empty means the bucket root and every top-level folder.",
        "period": "Period",
        "date_range": "Dates (both included)",
        "timezone": "Time zone",
        "scope": "Scope and filters",
        "regions": "Regions",
        "regions_help": "Source regions whose logs are read; the default is the six regions the tool covers.",
        "arn_filter": "Identity ARN contains",
        "arn_filter_help": "Only callers whose identity ARN contains this text (literal, case-sensitive), "
        "e.g. DataAnalysis.",
        "user_filter": "User contains",
        "user_filter_help": "Only users whose name contains this text (literal, case-sensitive).",
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
        "region.",
        "checking_logging": "Checking Model Invocation Logging...",
        "logging_ok": "**{region}**: logging is on; newest log {newest}.",
        "logging_no_logs": "**{region}**: logging to {bucket} is on, but no logs have arrived yet; they appear a "
        "few minutes after the first Bedrock call.",
        "logging_disabled": "**{region}**: Model Invocation Logging to S3 is off. Run "
        "`python setup_bedrock_logging.py --regions {region}`.",
        "logging_problems": "**{region}**: {problems}. Run `python setup_bedrock_logging.py --regions {region}` "
        "to fix the bucket and its policy.",
        "logging_error": "**{region}**: cannot check: {error}",
        "need_dates": "Choose a start and an end date.",
        "need_region": "Choose at least one region.",
        "need_logs_dir": "Enter the logs folder to read.",
        "need_tag_key": "Enter the requestMetadata tag key to group by.",
        "demo_banner_no_credentials": "**Demo mode**: no AWS credentials were found, so this is generated sample "
        "data, not your account's usage. Configure credentials (`aws configure` or `aws sso login`), reload the "
        "page and choose Athena in the sidebar.",
        "demo_banner": "**Demo mode**: generated sample data, not your account's usage.",
        "sidebar_changed": "The sidebar has changed since the last analysis: click **Analyze** to refresh.",
        "press_analyze": "Choose the data source, period and filters in the sidebar, then click **Analyze**.",
        "loading": "Reading the logs...",
        "setup_needed": "Setup needed: {message}",
        "usage_error": "Cannot analyse: {message}",
        "scope_line": "{period} · {regions} · changes against {previous}",
        "scan_line": "Read {objects} log objects ({megabytes} MB): {engine}.",
        "scan_cost": "Its Athena queries (this period and the previous one) cost {cost}.",
        "metric_cost": "Estimated cost",
        "metric_cost_help": "{exact}, estimated: logged tokens x list prices for the model, region and day. "
        "Changes compare with the previous period of equal length.",
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
        "accuracy_note": "Tokens are exact (from Model Invocation Logs). Cost is estimated: logged tokens x list "
        "prices of the price book (cache writes at the 5-minute rate).",
        "unpriced_note": "{calls} calls have no price in the price book and are not in the cost (see the "
        "warnings).",
        "who_line": "{users} users · {applications} applications · {models} models · {errors} errors",
        "warnings": "{count} warnings: some figures may be incomplete",
        "no_calls": "No calls in this period for this scope and these filters.",
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
        "not_set": "(not set)",
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
        "q_requests_help": "{exact} requests: {chat} chat, {inline} inline, {dev} /dev.",
        "q_input": "Input tokens",
        "q_output": "Output tokens",
        "q_tokens_help": "{exact} tokens, counted from the prompt logs with an approximation of Claude's "
        "tokenizer.",
        "q_users": "Active users",
        "q_virtual_cost": "Virtual API cost",
        "q_virtual_cost_help": "{exact}: what these tokens would cost at the {model} list price.",
        "q_subscription": "Pro subscription",
        "q_subscription_help": "{users} users x {price} per month, prorated to the days of the period.",
        "q_accuracy_note": "Token counts are estimates: prompt logs hold text, counted here with an approximation "
        "of Claude's tokenizer. No prompt or response text is shown.",
        "q_no_data": "No Amazon Q Developer prompt logs or activity reports in this period.",
        "q_need_dir": "Enter the folder of the Amazon Q Developer logs under **Amazon Q Developer logs** in the "
        "sidebar.",
        "q_enable_help": _ENABLE_Q_EN,
        "q_type_chat": "Chat",
        "q_type_inline": "Inline",
        "q_type_dev": "/dev",
        "q_chart_users": "Top 10 users by tokens",
        "q_chart_types": "Requests by type",
        "q_context_window": "Context window use ({window} tokens)",
        "q_context_avg": "Average",
        "q_context_max": "Largest",
        "q_context_over_80": "Over 80%",
        "q_chart_daily": "Requests per day",
        "q_chart_cost": "Virtual API cost against the subscription",
        "q_cost_below": "The subscription costs {amount} more than the API would for these tokens.",
        "q_cost_above": "The API would cost {amount} more than the subscription for these tokens.",
        "q_table_users": "Per user",
        "q_table_types": "Per type",
        "q_table_products": "Per product",
        "q_table_daily": "Daily",
        "q_table_limits": "Monthly limits ({month})",
        "q_table_activity": "Activity per user",
    },
    "ko": {
        "title": "Amazon Bedrock 사용량",
        "tab_bedrock": "Amazon Bedrock",
        "tab_qdev": "Amazon Q Developer",
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
        "qdev_logs": "Amazon Q Developer 로그",
        "q_bucket": "S3 버킷",
        "q_bucket_help": "프롬프트 로그와 활동 보고서가 있는 버킷입니다. 비워 두면 "
        "amazonq-developer-reports-<account> 를 읽습니다.",
        "q_logs_dir": "폴더",
        "q_logs_dir_help": "Amazon Q Developer 로그 버킷과 같은 구조의 로컬 폴더입니다.",
        "q_prefix": "키 접두사 (선택)",
        "q_prefix_help": "AWSLogs/ 앞의 접두사입니다. 비워 두면 버킷 루트와 모든 최상위 폴더를 찾습니다.",
        "period": "기간",
        "date_range": "날짜 (양 끝 포함)",
        "timezone": "시간대",
        "scope": "범위와 필터",
        "regions": "리전",
        "regions_help": "로그를 읽을 소스 리전입니다. 기본값은 이 도구가 다루는 여섯 리전입니다.",
        "arn_filter": "Identity ARN 포함 문자열",
        "arn_filter_help": "identity ARN에 이 문자열이 들어 있는 호출자만 봅니다 (그대로 비교, 대소문자 구분). "
        "예: DataAnalysis",
        "user_filter": "사용자 포함 문자열",
        "user_filter_help": "이름에 이 문자열이 들어 있는 사용자만 봅니다 (그대로 비교, 대소문자 구분).",
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
        "logging_status_help": "선택한 리전마다 Model Invocation Logging 설정, 버킷, 가장 최근 로그를 확인합니다.",
        "checking_logging": "Model Invocation Logging 확인 중...",
        "logging_ok": "**{region}**: 로깅이 켜져 있습니다. 가장 최근 로그 {newest}.",
        "logging_no_logs": "**{region}**: {bucket} 으로 로깅이 켜져 있지만 아직 로그가 없습니다. 첫 Bedrock "
        "호출 후 몇 분 안에 나타납니다.",
        "logging_disabled": "**{region}**: S3로의 Model Invocation Logging이 꺼져 있습니다. "
        "`python setup_bedrock_logging.py --regions {region}` 를 실행하세요.",
        "logging_problems": "**{region}**: {problems}. 버킷과 버킷 정책을 고치려면 "
        "`python setup_bedrock_logging.py --regions {region}` 를 실행하세요.",
        "logging_error": "**{region}**: 확인할 수 없습니다: {error}",
        "need_dates": "시작일과 종료일을 고르세요.",
        "need_region": "리전을 하나 이상 고르세요.",
        "need_logs_dir": "읽을 로그 폴더를 입력하세요.",
        "need_tag_key": "묶음 기준으로 쓸 requestMetadata 태그 키를 입력하세요.",
        "demo_banner_no_credentials": "**데모 모드**: AWS 자격 증명을 찾지 못해 생성된 예시 데이터를 보여 줍니다. "
        "실제 계정의 사용량이 아닙니다. 자격 증명을 설정한 뒤(`aws configure` 또는 `aws sso login`) 페이지를 "
        "새로 고치고 사이드바에서 Athena를 고르세요.",
        "demo_banner": "**데모 모드**: 생성된 예시 데이터이며 실제 계정의 사용량이 아닙니다.",
        "sidebar_changed": "마지막 분석 이후 사이드바 설정이 바뀌었습니다. **분석** 을 눌러 새로 고치세요.",
        "press_analyze": "사이드바에서 데이터 소스, 기간, 필터를 고른 뒤 **분석** 을 누르세요.",
        "loading": "로그를 읽는 중...",
        "setup_needed": "설정이 필요합니다: {message}",
        "usage_error": "분석할 수 없습니다: {message}",
        "scope_line": "{period} · {regions} · 비교 기간 {previous}",
        "scan_line": "로그 객체 {objects} 개 ({megabytes} MB) 를 읽었습니다: {engine}.",
        "scan_cost": "Athena 쿼리 비용 (이번 기간과 직전 기간): {cost}.",
        "metric_cost": "예상 비용",
        "metric_cost_help": "{exact}, 추정값: 로그의 토큰 수 x 모델, 리전, 날짜별 정가. 변화율은 같은 길이의 "
        "직전 기간과 비교한 값입니다.",
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
        "accuracy_note": "토큰 수는 Model Invocation Logs의 정확한 값입니다. 비용은 추정값입니다: 로그의 토큰 수 x "
        "가격표의 정가 (캐시 쓰기는 5분 단가).",
        "unpriced_note": "{calls} 건의 호출은 가격표에 가격이 없어 비용에서 빠졌습니다 (경고 참고).",
        "who_line": "사용자 {users} · 애플리케이션 {applications} · 모델 {models} · 오류 {errors}",
        "warnings": "경고 {count} 건: 일부 수치가 불완전할 수 있습니다",
        "no_calls": "이 기간, 범위, 필터에 해당하는 호출이 없습니다.",
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
        "q_requests_help": "요청 {exact} 건: 채팅 {chat}, 인라인 {inline}, /dev {dev}.",
        "q_input": "입력 토큰",
        "q_output": "출력 토큰",
        "q_tokens_help": "토큰 {exact}: 프롬프트 로그의 텍스트를 Claude 토크나이저의 근사치로 센 값입니다.",
        "q_users": "활성 사용자",
        "q_virtual_cost": "가상 API 비용",
        "q_virtual_cost_help": "{exact}: 이 토큰을 {model} 정가로 계산한 비용입니다.",
        "q_subscription": "Pro 구독료",
        "q_subscription_help": "사용자 {users} 명 x 월 {price}, 기간의 일수만큼 나눈 값입니다.",
        "q_accuracy_note": "토큰 수는 추정값입니다: 프롬프트 로그의 텍스트를 Claude 토크나이저의 근사치로 셉니다. "
        "프롬프트와 응답 내용은 보여 주지 않습니다.",
        "q_no_data": "이 기간에 Amazon Q Developer 프롬프트 로그나 활동 보고서가 없습니다.",
        "q_need_dir": "사이드바의 **Amazon Q Developer 로그** 에 로그 폴더를 입력하세요.",
        "q_enable_help": _ENABLE_Q_KO,
        "q_type_chat": "채팅",
        "q_type_inline": "인라인",
        "q_type_dev": "/dev",
        "q_chart_users": "토큰 상위 10 사용자",
        "q_chart_types": "유형별 요청 수",
        "q_context_window": "컨텍스트 윈도 사용률 ({window} 토큰)",
        "q_context_avg": "평균",
        "q_context_max": "최대",
        "q_context_over_80": "80% 초과",
        "q_chart_daily": "일별 요청 수",
        "q_chart_cost": "가상 API 비용과 구독료 비교",
        "q_cost_below": "이 토큰에 대해서는 구독료가 API 비용보다 {amount} 더 많습니다.",
        "q_cost_above": "이 토큰에 대해서는 API 비용이 구독료보다 {amount} 더 많습니다.",
        "q_table_users": "사용자별",
        "q_table_types": "유형별",
        "q_table_products": "제품별",
        "q_table_daily": "일별",
        "q_table_limits": "월간 한도 ({month})",
        "q_table_activity": "사용자별 활동",
    },
}

COLUMNS: dict[str, dict[str, str]] = {
    "en": {
        "user": "User",
        "principal_type": "Type",
        "principal": "Principal",
        "application": "Application",
        "model": "Model",
        "model_id": "Model ID",
        "endpoint": "Endpoint",
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
        "max_input_tokens": "Max input",
        "users": "Users",
        "date": "Date",
        "limit": "Limit",
        "subject": "Who",
        "used": "Used",
        "allowance": "Allowance",
        "projected": "Projected",
        "used_share": "Used share",
        "status": "Status",
        "verified": "Verified figure",
        "UserId": "User ID",
        "days_active": "Active days",
        "events": "Events",
    },
    "ko": {
        "user": "사용자",
        "principal_type": "유형",
        "principal": "주체",
        "application": "애플리케이션",
        "model": "모델",
        "model_id": "모델 ID",
        "endpoint": "엔드포인트",
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
        "max_input_tokens": "최대 입력",
        "users": "사용자 수",
        "date": "날짜",
        "limit": "한도",
        "subject": "대상",
        "used": "사용량",
        "allowance": "허용량",
        "projected": "월말 예상",
        "used_share": "사용 비율",
        "status": "상태",
        "verified": "확인된 수치",
        "UserId": "사용자 ID",
        "days_active": "활동 일수",
        "events": "이벤트",
    },
}

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ko": ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"),
}


class Text:
    """The strings of one language; unknown languages fall back to English."""

    def __init__(self, lang: str = "en"):
        self.lang = lang if lang in STRINGS else "en"

    def __call__(self, key: str, **values: object) -> str:
        """The string ``key`` with ``values`` filled in."""
        return STRINGS[self.lang][key].format(**values)

    def column(self, name: str) -> str:
        """The header of a table column (a ``tag:KEY`` column is headed by its key)."""
        if name.startswith("tag:"):
            return name[4:]
        return COLUMNS[self.lang].get(name, name)

    def weekdays(self) -> list[str]:
        """Monday to Sunday."""
        return list(WEEKDAYS[self.lang])


def usd(value: float | None) -> str:
    """``$1,234.56``; a dash when there is no amount."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"${value:,.2f}"


def number(value: int | float) -> str:
    """``1,234,567``."""
    return f"{int(value):,}"


def compact(value: int | float) -> str:
    """``4,670`` below 100,000, else ``123.4K``, ``13.40M`` or ``1.23B``: short enough for a metric card."""
    value = int(value)
    if abs(value) < 100_000:
        return f"{value:,}"
    if abs(value) < 1_000_000:
        return f"{value / 1e3:,.1f}K"
    if abs(value) < 1_000_000_000:
        return f"{value / 1e6:,.2f}M"
    return f"{value / 1e9:,.2f}B"


def change(current: float, previous: float) -> str | None:
    """``+12.3%`` against the previous period; None when the previous period had nothing to compare with."""
    if not previous or math.isnan(previous) or math.isnan(current):
        return None
    return f"{(current - previous) / previous:+.1%}"
