"""The warnings of the shared code (``output.notices.Notice``: the report's, the price file's, the governance modes',
the Amazon Q / Kiro report's) in the languages other than English, by kind, and the fixed phrases their values hold
(why a call has no price, why an object was skipped), keyed by the shared code's own English constants. English takes
the Notice's own words."""

from __future__ import annotations

from ..aws.log_lifecycle import UNCHECKED_SIZE, UNCHECKED_TAGS
from ..aws.logging_status import READ_BUCKET_POLICY, READ_BUCKET_REGION, READ_ENCRYPTION, READ_NEWEST_LOG
from ..aws.provisioning import TEAM_BUCKETS_DOCS
from ..aws.session import ERROR_PAGE, UNREADABLE_RESPONSE
from ..bounded_gzip import MAX_OBJECT_ENV, OVER_CAP_BYTES, OVER_CAP_MIB
from ..engines.athena import NO_REASON
from ..engines.base import UNREADABLE_PAYLOADS
from ..engines.local import (
    CUT_SHORT,
    DAMAGED_GZIP,
    DANGLING_LINK,
    EMPTY,
    HIDDEN,
    NAME_NOT_UTF8,
    NOT_ASKED_FOR,
    NOT_GZIP,
    NOT_GZIP_NAME,
    OTHER_PARTITION,
    OUTSIDE_DAY_FOLDERS,
    TRAILING_BYTES,
    UNKNOWN_REGION,
    UNREADABLE,
    UNREADABLE_FOLDER,
)
from ..engines.queries import SKIPPED_NO_TIMESTAMP, SKIPPED_NOT_JSON, SKIPPED_TOKEN_COUNTS
from ..governance.callers import BATCH_LISTED, UNKNOWN_TIER_LISTED
from ..governance.profiles import NO_FOUNDATION_MODEL, NOT_IN_FILE
from ..governance.reconcile import BATCH_KEPT, UNKNOWN_TIER_KEPT
from ..governance.usage_types import UNKNOWN_TIER
from ..logs.regions import PARTITION_NAMES
from ..pricing import PROMPT_ROUTER
from ..qdev import activity as act
from ..qdev import kiro_report as kr
from ..qdev import prompt_logs as logs
from ..qdev.analysis import (
    ACTIVITY_REPORT,
    KIRO_USER_REPORT,
    NO_KIRO_TIER,
    PROMPT_LOG_FILE,
    UNREADABLE_ACTIVITY_REPORT,
    UNREADABLE_PROMPT_LOG,
    UNREADABLE_USER_REPORT,
    UNUSABLE_ACTIVITY_ROW,
    UNUSABLE_RECORD,
    UNUSABLE_USER_REPORT_ROW,
)
from ..qdev.credits import IN_OVERAGE, OVER_ALLOWANCE
from ..qdev.limits import (
    ACCOUNT,
    CODE_TRANSFORMATION_LINES,
    DEV_AGENT_INVOCATIONS,
    EXCEEDED,
    PRO_LIMITS,
    PROJECTED_TO_EXCEED,
    WARNING,
)
from ..qdev.sources import (
    DOWNLOAD_FAILED,
    FILE_GONE,
    FILE_NOT_READABLE,
    OBJECT_GONE,
    READER,
    READER_REPORT_BUCKET_GRANT,
)
from ..report.priced_facts import MISSING_RATE_REASONS, MODE_MISSING_RATE_REASONS
from ..report.tracker import (
    BODY_OFFLOADED,
    IMPOSSIBLE_UNITS,
    INPUT_NOT_IN_TOKENS,
    NEEDS_AUDIO_SPLIT,
    NEEDS_BODY,
    NO_CONTEXT_TIER,
    NO_MEDIA_PRICE,
    NO_TIER,
    NO_VIDEO_REQUEST,
    OFFLOADED_UNITS,
    OPAQUE_ENDPOINT_REASONS,
    SERVICE_TIER_REASONS,
    SKIPPED_RECORD_REASONS,
    TIER_NO_PRICE,
    UNKNOWN_SERVICE_TIER,
)

# Why batch inference is never compared with the logs (``reconcile.BATCH_NOT_LOGGED``), in Korean: a clause its
# warnings and the dashboard's batch help share.
BATCH_NOT_LOGGED_KO = "배치 추론 작업은 결과를 작업 자체의 S3 위치에 쓰며 모델 호출 로그에는 절대 쓰지 않습니다"

# Amazon Q Developer limits (qdev/limits.py) and their statuses, and Kiro allowances' (qdev/credits.py), in the
# languages other than English: the Amazon Q tab's tables and its warnings (``PHRASES``) share them.
LIMIT_NAMES = {
    "ko": {
        "code_transformation_lines": "코드 변환 (줄 수)",
        "dev_invocations": "/dev (소프트웨어 개발 에이전트)",
        "agentic_requests": "에이전트 요청 (/dev, /test, /doc, /review)",
    },
}
LIMIT_STATUSES = {
    "ko": {"exceeded": "초과", "warning": "경고 (80% 사용)", "projected to exceed": "월말 초과 예상", "ok": "정상",
           "no published limit": "공개된 한도 없음", "in overage": "초과 사용 중", "allowance used up": "할당량 소진",
           "no published allowance": "공개된 할당량 없음"},
}
ACCOUNT_POOL = {"ko": "(계정 전체 풀)"}
# The token rates a call may lack (``priced_facts.MISSING_RATE_REASONS``) and the modes priced apart from standard
# (``priced_facts.MODE_RATE_NAMES``), in Korean: why a call is unpriced names them.
RATE_NAMES_KO = {"input": "입력", "output": "출력", "cache_write_5m": "캐시 쓰기", "cache_write_1h": "1시간 캐시 쓰기",
                 "cache_read": "캐시 읽기"}
MODE_RATE_NAMES_KO = {"flex": "flex 티어", "latency": "지연 시간 최적화", "priority": "priority 티어"}

NOTICES: dict[str, dict[str, str]] = {
    "ko": {
        # report.tracker.build_warnings and what it words of the scan
        "unpriced": "가격 없음{reason}: {region} 의 {model}: 호출 {calls} 건, 입력 {input} / 출력 {output}{cache} "
                    "토큰에 가격이 없습니다",
        "unpriced_cache": " / 캐시 읽기 {read} / 캐시 쓰기 {write}",
        "unpriced_reason": " ({reason})",
        "split_unknown": "호출 {calls} 건의 캐시 쓰기를 5분 단가로 계산했습니다 (5분/1시간 구분은 /data/ 객체에만 "
                         "있음): 100 KB가 넘어 /data/ 아래에 따로 전달되어 보고서가 읽지 않는 응답의 캐시 쓰기 토큰 "
                         "{tokens} 개로, 요청이 하나의 캐시 유지 시간을 말하지 않습니다 (인라인으로 로깅되지 않았거나 "
                         "5분과 1시간을 모두 요청). 이 중 1시간 쓰기가 있으면 실제 비용은 표시된 것보다 큽니다",
        "duplicates": "이미 집계된 레코드의 중복 전달 {count} 건을 무시했습니다 (같은 requestId와 timestamp)",
        "skipped_records": "레코드 {count} 개를 건너뛰었습니다: {reason}{named}{filtered}",
        "skipped_records_filtered": "; 건너뛴 레코드는 호출자와 모델을 읽지 않으므로 필터 (ARN 패턴, 모델, 사용자 "
                                    "패턴) 로 제외할 수 없습니다: 일부는 다른 호출자나 모델의 것일 수 있습니다",
        "skipped_objects": "객체 {count} 개를 건너뛰었습니다: {reason}{named}",
        "not_utf8": "객체 {count} 개에 UTF-8이 아닌 바이트가 있어 대체 문자로 읽었습니다{named}",
        "named": " ({examples})",
        "named_first": " (처음 몇 개: {examples})",
        "region_failed": "리전 {region} 읽기가 실패하여 수치에서 빠졌습니다: {message}",
        # engines.athena and aws.session: why a Region was not read (its message above, the Amazon Q / Kiro report's
        # reports not read), or why nothing was; the service's own words kept
        "athena_no_workgroup": "{region} 에 Athena 작업 그룹 {workgroup} 이(가) 없습니다: {command} 을(를) "
                               "실행하거나 있는 작업 그룹을 고르세요",
        "athena_workgroup_disabled": "{region} 의 Athena 작업 그룹 {workgroup} 이(가) 비활성화되어 있습니다: Athena "
                                     "콘솔에서 활성화하세요",
        "athena_missing_table": "{region} 에 Athena 테이블 {table} 이(가) 없습니다 ({reason}): {command} 을(를) "
                                "실행하세요",
        "athena_missing_column": "{region} 의 Athena 테이블 {table} 에 보고서가 읽는 열이 없거나 Lake Formation 이 이 "
                                 "호출자에게 그 열을 숨깁니다 ({reason}): 업그레이드 전에 또는 다른 사람이 만든 "
                                 "테이블입니다. {command} 을(를) 실행해 정의의 변경 (이전 -> 새) 을 보고, "
                                 "--replace-existing 을 붙여 다시 실행해 바꾸세요. 또는 Lake Formation 에서 그 열을 "
                                 "허용하세요",
        "athena_column_type": "{region} 의 Athena 테이블 {table} 에 보고서가 읽는 것과 다른 형식의 열이 있습니다 "
                              "({reason}): 업그레이드 전에 또는 다른 사람이 만든 테이블입니다. {command} 을(를) 실행해 "
                              "정의의 변경 (이전 -> 새) 을 보고, --replace-existing 을 붙여 다시 실행해 바꾸세요",
        "athena_access_denied": "{region} 에서 접근이 거부되었습니다 ({reason}): 호출자에게 {what} 을(를) "
                                "부여하세요",
        "athena_permission": "권한 {action}",
        "athena_permissions": "로그 버킷을 읽고 쿼리 결과를 쓸 권한",
        "athena_results_location": "{region} 의 Athena 쿼리 결과 위치를 쓸 수 없습니다 ({reason}): {command} 을(를) "
                                   "실행하거나 쓸 수 있는 출력 위치를 지정하세요",
        "athena_failed": "{region} 의 Athena 쿼리 {query} 가 실패했습니다: {reason}",
        "athena_failed_again": "{region} 의 Athena 쿼리 {query} 가 실패했습니다. Athena 는 다시 실행하면 성공할 수 "
                               "있다고 하지만 {times} 번 더 실행해도 실패했습니다: {reason}",
        "athena_cancelled": "{region} 의 Athena 쿼리 {query} 가 취소되었습니다: {reason}",
        "athena_timeout": "{region} 의 Athena 쿼리 {query} 가 {seconds} 초 안에 끝나지 않아 취소했습니다: 기간을 "
                          "줄이거나 제한 시간을 늘리세요",
        "athena_call_failed": "{region} 의 Athena: {reason}",
        "in_region": "{region}: {message}",
        "aws_call_failed": "{operation} 실패: {code}: {message}",
        "aws_no_credentials": "AWS 자격 증명이 없습니다: `aws configure` (또는 `aws sso login`) 를 실행하거나, "
                              "AWS_PROFILE 을 설정하거나, --profile 을 지정하세요",
        "aws_sso_unusable": "AWS SSO 세션을 쓸 수 없습니다 ({reason}): `aws sso login` 을 실행하세요",
        "aws_expired": "AWS 자격 증명이 만료되었습니다: 새로 고친 뒤 (예: `aws sso login`) 다시 시도하세요",
        "aws_rejected": "AWS 가 자격 증명을 거부했습니다 ({code}): 액세스 키나 --profile 을 확인하세요",
        "aws_denied": "접근이 거부되었습니다: 이 ID 에는 {action} 이(가) 필요합니다{hint}",
        "aws_policy_file": " ({file} 참조)",
        # aws.provisioning.BucketGrant.reads_beyond: a team's bucket, whose name the policy does not cover
        # (the docs' section named by its English title, as the page a user opens has it)
        "bucket_reads_beyond": "{policy} 는 {reader} 의 {bucket_kind} 읽기를 {pattern} 이름의 버킷에만 "
                               f"허용합니다: {TEAM_BUCKETS_DOCS} 의 {{statements}} 문 (Resource arn:*:s3:::{{bucket}}) "
                               "을 이 ID 의 정책에 추가하세요",
        # qdev.sources.S3Store: a report bucket's reads refused
        "qdev_reads_beyond": "s3://{bucket}: {denied}: {beyond}, 그런 다음 다시 실행하세요",
        "qdev_bucket_refused": "s3://{bucket}: {message}",
        "regions_without_logs": "요청한 {regions} 의 로그가 {folder} 아래에 없습니다: 수치는 0이 아니라 알 수 "
                                "없음입니다",
        "regions_unread": "{regions} 의 로그는 읽지 않습니다: {why}",
        "days_not_projected": "{region} 의 {spans} 로그를 읽지 않아 그 수치는 0이 아니라 알 수 없음입니다: {why}",
        "projection_range": "{region} 의 테이블 {table} 파티션 프로젝션은 {projected} ({range}) 만 포함하며 Athena는 "
                            "그 밖의 날짜를 무시합니다: {step} 을(를) 실행해 범위를 넓히세요",
        "through_today": "{first} ~ 오늘",
        "through_day": "{first} ~ {last}",
        "projection_unchecked": "{region} 의 테이블 {table} 파티션 프로젝션 ({shape}) 은 이 도구가 읽을 수 없는 "
                                "형식이라 기간의 날짜를 확인하지 못했습니다: Athena는 범위 밖의 날짜를 읽지 않으며 "
                                "그런 날은 지출 대신 $0으로 보입니다 (python setup_athena_bucket.py --regions "
                                "{region} --start-date DAY 가 읽을 수 있는 범위를 씁니다)",
        # aws.log_lifecycle: days a lifecycle rule of the log bucket may have archived, which Athena skips
        "days_maybe_archived": "{region} 의 {spans} (UTC) 로그는 아카이브되었을 수 있으며, Athena 는 복원되지 않은 "
                               "아카이브 로그 객체를 아무 말 없이 건너뛰므로 그 날의 수치가 실제보다 적을 수 있습니다: "
                               "{rules}; 그 날의 로그 객체를 복원하면 테이블이 읽습니다 (docs/aws-setup.md, "
                               "\"Archived log objects\"). 또는 --engine local --sync 로 보고하세요. 복사할 수 없는 "
                               "아카이브 객체를 셉니다",
        "lifecycle_rule": "버킷 {bucket} 의 수명 주기 규칙 '{rule}' 은(는) {under}로그 객체를 {when} {target} (으)로 "
                          "옮깁니다{tiers}{unread}",
        "lifecycle_under": "{prefix} 아래의 ",
        "lifecycle_from": "{day} 부터",
        "lifecycle_after": "쓴 지 {days} 일 후",
        "lifecycle_tiering": ". 이 클래스의 아카이브 계층은 버킷이 켠 경우 (옵트인) {days} 일 이상 읽지 않은 객체를 "
                             "가져갑니다",
        "lifecycle_filter": " ({parts} 에 대한 필터는 평가하지 않았습니다: 로그 객체를 가져갈 수 있습니다)",
        "lifecycle_not_checked": "로그 버킷 {bucket} ({region}) 의 수명 주기 규칙을 읽지 못해, 로그 객체를 S3 Glacier "
                                 "로 옮기거나 (Athena 는 복원되지 않은 그런 객체를 아무 말 없이 건너뜁니다) 삭제한 "
                                 "규칙이 있는지 확인하지 못했습니다: {why}",
        # aws.log_lifecycle: days a lifecycle rule of the log bucket has deleted, or may have
        "days_expired": "{what}. 그 날의 호출은 이 수치에 빠져 있으며, 버킷을 읽는 어떤 보고서도 보여 줄 수 없습니다: "
                        "{rules}{keeps}",
        "expired_deleted": "{region} 의 {deleted} (UTC) 로그는{since} 버킷의 수명 주기 규칙에 의해 삭제되었습니다",
        "expired_maybe": "{region} 의 {maybe} (UTC) 로그는{since} 버킷의 수명 주기 규칙에 의해 삭제되었을 수 "
                         "있습니다 (S3 는 만료된 객체를 기한이 지나고 얼마 후에 삭제합니다)",
        "expired_both": "{region} 의 {deleted} (UTC) 로그는{since} 버킷의 수명 주기 규칙에 의해 삭제되었고, "
                        "{maybe} 로그는 삭제되었을 수 있습니다 (S3 는 만료된 객체를 기한이 지나고 얼마 후에 "
                        "삭제합니다)",
        "expired_before_sync": " 미러가 복사하기 전에",
        "sync_rules_unread": "{region} 의 {spans} (UTC) 로그 객체가 {location} 에도 미러에도 없고 버킷의 수명 주기 "
                             "규칙을 읽지 못해, 그 날에 호출이 없었는지 아니면 미러가 복사하기 전에 규칙이 로그를 "
                             "삭제했는지 (그렇다면 그 호출은 이 수치에 빠져 있습니다) 알 수 없습니다: {why}",
        "expired_mirror_keeps": "; 만료 전에 --sync 로 만든 미러는 사본을 보관하며, --engine local --sync (또는 "
                                "--logs-dir MIRROR) 가 그 사본을 읽습니다",
        "lifecycle_expiry": "버킷 {bucket} 의 수명 주기 규칙 '{rule}' 은(는) {under}로그 객체를 {when} "
                            "삭제합니다{unread}",
        # aws.log_lifecycle: the logging check's notes (the dashboard's logging panel)
        "archive_finding": "{through}의 로그는 아카이브되었을 수 있습니다 ({rules}): Athena "
                           "보고서는 복원되지 않은 아카이브 로그 객체를 아무 말 없이 건너뛰며, 기간 중 그런 "
                           "날을 경고합니다. 그 날을 보고하기 전에 그 날의 로그 객체를 복원하면 테이블이 "
                           "읽습니다 (docs/aws-setup.md, \"Archived log objects\"). 또는 --engine local --sync 로 "
                           "보고하세요. 복사할 수 없는 아카이브 객체를 셉니다",
        "expiry_finding": "{days} ({rules}; S3 는 만료된 객체를 기한이 지나고 얼마 후에 삭제합니다): 그 날의 "
                          "보고서에는 호출이 빠지며 버킷을 읽는 어떤 보고서도 보여 줄 수 없습니다. 보고서는 "
                          "기간 중 그런 날을 경고합니다; 만료 전에 --sync 로 만든 미러는 사본을 보관하며, "
                          "--engine local --sync (또는 --logs-dir MIRROR) 가 그 사본을 읽습니다",
        "expiry_through_maybe": "{through}의 로그는 삭제되었을 수 있습니다",
        "expiry_through_deleted": "{through}의 로그는 삭제되었습니다",
        "expiry_through_both": "{deleted}의 로그는 삭제되었고, {maybe} 로그는 삭제되었을 수 있습니다",
        "days_and_before": "{last} 및 그 이전",
        # aws.logging_status: a region's problems (the dashboard's logging panel)
        "logging_cloudwatch_only": "로그가 CloudWatch 로만 전달됩니다. 이 도구는 S3 에서 로그를 읽습니다",
        "logging_text_off": "텍스트 데이터 전달이 꺼져 있어 텍스트 모델 호출이 기록되지 않습니다",
        "logging_bucket_missing": "버킷 {bucket} 이(가) 없습니다",
        "logging_bucket_elsewhere": "버킷이 {where} 에 있습니다. Bedrock 은 {region} 의 버킷에만 로그를 전달합니다",
        "logging_no_policy": "버킷 {bucket} 에 정책이 없어 Bedrock 이 쓸 수 없습니다",
        "logging_policy_denies": "버킷 정책 문 {name} 이(가) Bedrock 의 로그 쓰기를 거부합니다",
        "logging_no_statement": "버킷 정책에 {service} 가 {where} 아래에 s3:PutObject 하도록 허용하는 문이 없습니다",
        "logging_policy_undecided": "버킷 정책 문 {statements} 이(가) Bedrock 의 로그 쓰기에 적용되는지 알 수 없습니다 "
                                    "(이 확인이 판단할 수 없는 조건 키, 연산자 또는 값){source}",
        "logging_source_arn": ": Bedrock 의 aws:SourceArn 은 {arn}<resource> 이며 리소스를 알 수 없으므로, 이에 대한 "
                              "조건은 그런 모든 ARN 이 같은 답을 줄 때만 판단합니다 (ArnLike {arn}* 는 모두와 "
                              "일치하며, StringEquals 는 * 를 글자 그대로 받습니다)",
        "logging_managed_key": "버킷 {bucket} 은(는) AWS 관리형 키 aws/s3 로 암호화하며, 그 키 정책은 {service} 가 "
                               "사용하도록 바꿀 수 없어 Bedrock 이 로그를 쓸 수 없습니다: 버킷의 기본 암호화를 키 "
                               "정책이 {service} 에 {arns} 에 대한 kms:GenerateDataKey 사용을 허용하는 고객 관리형 "
                               "키로, 또는 SSE-S3 로 설정하세요 (docs/aws-setup.md, 'Log buckets encrypted with "
                               "SSE-KMS')",
        "logging_read_failed": "{what}: {why}",
        "logging_key_read": "버킷 암호화 (키 {key} 가 AWS 관리형 키 aws/s3 인지)",
        "lifecycle_grant": "버킷에 대한 {action} 을(를) 부여하세요 ({policy} 는 bedrock-logs-* 버킷에 부여합니다)",
        "lifecycle_failed": "읽기 실패: {reason}",
        "earlier_compacted": "이전 버전이 {regions} 에 만든 압축 사본 ({copy}) 은 지금 보고서가 읽는 내용이 없어 읽지 "
                             "않습니다: 그 날짜는 JSON 로그에서 읽으며 (스캔 바이트 증가) 로그가 삭제된 날은 수치가 "
                             "없습니다. setup_athena_bucket.py --compact 가 다시 복사합니다 (또는 사본의 첫 날을 기록)",
        "copy_through": "{name}, {day} 까지",
        "copy_unrecorded": "{name}, {day} 까지, 첫 날은 기록되지 않음",
        "no_calls_model_names": "{period} ({regions}) 에 요청한 모델의 호출이 없습니다: 모델 필터는 로그에 기록된 "
                                "모델 ID (예: us.anthropic.claude-sonnet-4-5-20250929-v1:0) 를 받으며, 표에 보이는 "
                                "이름이 아닙니다",
        "no_calls_filtered": "{period} ({regions}) 에 필터와 일치하는 호출이 없습니다",
        "no_calls": "{period} ({regions}) 에 호출이 없습니다 ({read}): 날짜와 리전, 그리고 해당 날짜의 로그가 있는지 "
                    "확인하세요",
        "athena_scanned": "Athena가 {tables} 에서 {size} 스캔",
        "objects_read": "로그 객체 {count} 개 읽음",
        "no_caller": "호출자 (identity.arn) 가 없는 호출 {calls} 건: (unknown caller) 로 집계했습니다",
        "no_model": "modelId 가 없는 호출 {calls} 건: (unknown model) 로 집계했으며 가격이 없습니다",
        "tag_absent": "기간 중 requestMetadata 키 '{key}' 를 가진 호출이 없습니다 (키는 대소문자까지 그대로 "
                      "비교합니다): 그 표에는 모든 호출이 (없음) 아래에 있습니다",
        # report.tracker and the engines: why no report is made ($0 would read as no spend)
        "none_readable": "{period} 의 로그 객체 {count} 개를 하나도 읽지 못해 보고서를 만들지 않습니다 ($0 은 지출 "
                         "없음으로 읽힙니다): {why}; Bedrock 이 전달하는 그대로 로그를 읽으세요 (온전하고 gzip 으로 "
                         "압축된, 읽을 권한이 있는 .json.gz 객체)",
        "unreadable_reason": "{reason} {count} 개{named}",
        "none_logged": "{folders} 아래에 {regions} 의 로그가 없어 보고서를 만들지 않습니다 ($0 은 지출 없음으로 "
                       "읽힙니다): {has}",
        "logs_of_other_regions": "그 폴더에는 {regions} 의 로그가 있습니다: 그 리전을 요청하세요",
        "logs_of_no_region": "그 폴더에는 어떤 Amazon Bedrock 리전의 로그도 없습니다",
        "none_projected": "Athena 가 {period} 의 날짜를 하나도 읽지 않아 보고서를 만들지 않습니다 ($0 은 지출 "
                          "없음으로 읽힙니다): {why}",
        "no_region_folder": "{folder} 아래의 폴더 ({folders}) 중 이 botocore 가 아는 Amazon Bedrock 리전은 없어 "
                            "보고서를 만들지 않습니다 ($0 은 지출 없음으로 읽힙니다): boto3 와 botocore 를 "
                            "업그레이드하세요",
        "other_partition_folders": "{folder} 아래의 폴더 ({folders}) 중 이 도구가 읽는 리전은 없어 보고서를 만들지 "
                                   "않습니다 ($0 은 지출 없음으로 읽힙니다): {why}",
        # logs.regions.partition_clauses: a Region of a partition this tool does not read (China's cn-north-1)
        "other_partition_regions": "{regions} 은(는) {partition} 파티션 ({name}) 의 리전이며, 이 도구는 그 리전을 "
                                   "읽지도 가격을 매기지도 않습니다 (aws 와 aws-us-gov 파티션의 리전을 읽습니다)",
        "no_logs_yet": "로깅은 설정되었지만 {folder} 아래에 아직 로그를 쓴 리전이 없어 보고서를 만들지 않습니다 ($0 "
                       "은 지출 없음으로 읽힙니다): Bedrock 은 리전의 첫 로그 호출과 함께 그 폴더를 씁니다",
        # governance.profiles: the report's rewriter
        "profile_unresolved": "애플리케이션 추론 프로파일 {arn} 의 모델을 알아내지 못했습니다: {reason}",
        # report.price_notes
        "price_file_family": "{name} ({model}): 가격 파일은 이 모델을 {own} 엔드포인트 계열에만 지정합니다; {family} "
                             "계열을 통한 호출 {calls} 건은 내장 가격표의 가격을 적용했습니다 (그곳에 자체 가격을 "
                             "쓰려면 \"family\": \"{family}\" 행을 추가하세요)",
        "price_file_region": "{name} ({model}): 가격 파일은 {family} 엔드포인트 계열을 {own} 에서만 지정합니다; "
                             "{regions} 의 호출 {calls} 건은 내장 가격표의 가격을 적용했습니다 (리전마다 \"region\" "
                             "행을 추가하거나, 모든 리전용으로 \"region\" 없는 행을 추가하세요)",
        "price_file_tier": "{name} ({model}): 가격 파일에 {family} 엔드포인트 계열의 {tier} 행이 없습니다; {regions} "
                           "의 호출 {calls} 건은 내장 가격표의 {tier} 가격을 적용했습니다 (그곳에 자체 가격을 쓰려면 "
                           "\"tier\": \"{tier}\" 행을 추가하세요)",
        "price_file_mode": "{name} ({model}): 가격 파일에 {family} 엔드포인트 계열의 {mode} 행이 없습니다; "
                           "{regions} 의 {served}호출 {calls} 건은 내장 가격표의 {mode} 요금 ({rates}) 을 "
                           "적용했습니다 (그곳에 자체 가격을 쓰려면 \"mode\": \"{mode}\" 행을 추가하세요)",
        "served_flex": "Flex 티어로 처리된 ",
        "served_priority": "Priority 티어로 처리된 ",
        "served_latency": "지연 시간 최적화로 처리된 ",
        "book_rate": "1K 토큰당 {figures}{tier}",
        "book_rate_unit": "{unit} 당 {amount}{tier}",
        "book_rate_tier": ", {tier} 티어",
        "rate_input": "입력 {amount}",
        "rate_output": "출력 {amount}",
        "rate_cache_write_5m": "캐시 쓰기 {amount}",
        "rate_cache_write_1h": "1시간 캐시 쓰기 {amount}",
        "rate_cache_read": "캐시 읽기 {amount}",
        "rate_audio_input": "오디오 입력 {amount}",
        "rate_audio_output": "오디오 출력 {amount}",
        "price_file_unused": "가격 파일의 {model} 행이 기간 중 어떤 호출에도 적용되지 않았습니다: -v1/:0 유무와 "
                             "관계없이 {model} 인 로그 모델 ID가 없습니다 (로그의 modelId 와 대조하거나 pricing.py 에 "
                             "있는 모델 이름을 쓰세요)",
        # governance: budgets, anomalies, coverage
        "short_pace": "로그가 {first} 에 시작됩니다: 월말 예측의 일일 속도는 {window}일이 아닌 {days}일의 평균이므로 "
                      "예측은 대략적입니다{before}",
        "spend_before_logs": "; 월초부터의 누계에는 그날 이전의 지출이 빠져 있습니다",
        "named_no_calls": "필터가 지정한 {group} 은(는) 기간 중 호출이 없습니다: 일별 행은 $0입니다",
        "late_month": "첫 로그 호출은 {first} 이며, 그 전 {days}일 동안 호출이 없었습니다: 로깅이 그때 시작되었다면 "
                      "월초부터의 누계에는 그날 이전의 지출이 빠져 있습니다",
        "budget_unpriced": "예산 {budget}: 이번 달 호출 {calls} 건에 가격이 없어 지출에 포함되지 않았습니다",
        "budget_tag_absent": "예산 {budget} 에 해당하는 호출이 없습니다: 기간 중 requestMetadata 키 '{key}' 를 가진 "
                             "호출이 없습니다 (키는 대소문자까지 그대로 비교합니다)",
        "budget_covers_nothing": "예산 {budget}: {covers} 의 호출이 없습니다",
        "trailing_gap": "{span} 에 로그 레코드가 없습니다 (기준일까지 {days}일{since}): 로깅이 꺼졌거나 로그가 늦을 "
                        "수 있습니다; 그날의 호출은 지출에 없으며 예측 속도는 그날을 $0으로 계산합니다",
        "trailing_gap_filtered": "{span} 에 일치하는 호출이 없습니다 (기준일까지 {days}일{since}): 로깅이 꺼졌거나 "
                                 "로그가 늦었거나, 필터와 일치하는 호출이 없을 수 있습니다; 그날의 호출은 지출에 "
                                 "없으며 예측 속도는 그날을 $0으로 계산합니다",
        "gap_since_start": ", {start} 에 읽기를 시작한 뒤로 없음",
        # governance.budgets and the dashboard's budget editor: a budgets file's or the editor's mistakes
        "budget_at": "{file} 의 예산 {number}",
        "budget_not_table": "{where}: 각 예산은 테이블/객체여야 합니다",
        "budget_unknown_fields": "{where}: 알 수 없는 필드 {fields}; 쓸 수 있는 필드: {allowed}",
        "budget_all_not_true": "{where}: all 은 true 여야 합니다 (Bedrock 전체 지출의 예산). {value} 는 쓸 수 "
                               "없습니다",
        "budget_one_scope": "{where}: application, user, tag (value 와 함께), all = true 중 정확히 하나를 지정하세요",
        "budget_empty_text": "{where}: {field} 는 비어 있지 않은 문자열이어야 합니다",
        "budget_tag_value": "{where}: 태그 예산에는 태그의 값이 필요합니다 (예: tag = \"cost_center\", value = "
                            "\"CC-1\")",
        "budget_value_not_tag": "{where}: value 는 태그 예산에만 씁니다",
        "budget_bad_amount": "{where}: {name} 은(는) 0보다 큰 USD 금액이어야 합니다 ({value} 는 쓸 수 없습니다)",
        "budget_no_amount": "{where}: monthly_usd, daily_usd 또는 둘 다를 지정하세요",
        "budget_no_scope": "{where}: 예산이 무엇을 대상으로 하는지 고르세요: {scopes}",
        "budget_names_unique": "{origin}: 예산 이름은 서로 달라야 합니다 ({names})",
        "budgets_file": "예산 파일 {path}",
        "budgets_not_utf8": "예산 파일 {path} 이(가) UTF-8 텍스트가 아닙니다: UTF-8 로 저장하세요",
        "budgets_unreadable": "예산 파일 {path} 을(를) 읽을 수 없습니다: {reason}",
        "budgets_unparsed": "예산 파일 {path} 을(를) 해석할 수 없습니다: {reason}",
        "budgets_stray_keys": "예산 파일 {path}: 알 수 없는 최상위 키 {keys}: 모든 예산은 [[budgets]] 테이블 (TOML) "
                              "이나 \"budgets\" 목록 (JSON) 에 넣습니다",
        "budgets_none": "예산 파일 {path} 에 예산이 없습니다 ([[budgets]] 테이블이나 \"budgets\" 목록)",
        "budgets_changed": "차이를 보여 준 뒤 {path} 이(가) 바뀌었습니다: 변경을 다시 검토하세요",
        "file_unreadable": "{path} 을(를) 읽을 수 없습니다: {reason}",
        # engines, qdev and aws.session: the folders and files read (the system's own words kept)
        "logs_dir_missing": "로그 폴더 {folder} 이(가) 없습니다: --logs-dir 에 AWSLogs/ 를 담은 폴더를 지정하세요",
        "logs_dir_is_file": "로그 폴더 {folder} 은(는) 폴더가 아니라 파일입니다: --logs-dir 에 AWSLogs/ 를 담은 폴더를 "
                            "지정하세요",
        "no_invocation_logs": "{folder} 아래에 Model Invocation Logs 가 없습니다: --logs-dir 에 {layout} 를 담은 "
                              "폴더 (로그 버킷의 사본, 예: --sync 로 복사한 것) 를 지정하세요",
        "logs_dir_unreadable": "로그 폴더 {folder} 을(를) 읽을 수 없습니다: {reason}",
        "cache_parts_gone": "이 보고서가 읽는 동안 {folder} 의 열 형식 캐시 일부가 지워졌습니다 (같은 캐시 폴더를 쓰는 "
                            "다른 실행?): 보고서를 다시 실행하거나, {setting} 로 실행마다 따로 폴더를 지정하세요",
        "cache_unusable": "열 형식 캐시 폴더 {folder} 을(를) 쓸 수 없습니다: {reason}; {setting} 를 다른 폴더나 'off' "
                          "로 설정하세요",
        "cache_not_updated": "{folder} 의 열 형식 캐시를 갱신할 수 없습니다: {reason}; 공간을 비우거나 {setting} "
                             "를 다른 폴더나 'off' 로 설정하세요",
        "kept_rows_gone": "보관한 사실 행 {path} 이(가) 사용 중에 지워졌거나 손상되었습니다: 다시 실행하세요",
        "qdev_dir_not_folder": "{folder} 은(는) 폴더가 아닙니다",
        "qdev_no_logs_folder": "{where} 에 Amazon Q Developer 나 Kiro 로그가 없습니다: 그 아래에서 {layout} 폴더를 "
                               "읽습니다 (PREFIX: 각 키 접두사, 없으면 루트나 최상위 폴더): 보고서 버킷의 AWSLogs/ 를 "
                               "담은 폴더를 지정하거나, 키 접두사와 리전을 확인하세요",
        "qdev_no_logs_bucket": "{where} 에 Amazon Q Developer 나 Kiro 로그가 없습니다: 프롬프트 로깅이나 사용자 활동 "
                               "보고서를 켜거나 ({docs} 참조), 버킷, 키 접두사, 리전을 확인하세요",
        "user_map_header": "사용자 매핑 {path} 에 userId 와 email 열이 있는 헤더가 필요합니다",
        "user_map_row": "사용자 매핑 {path} 의 {line} 번째 줄: 사용자 ID 와 이메일 주소가 필요합니다",
        "user_map_unreadable": "사용자 매핑 {path} 을(를) 읽을 수 없습니다: {reason}",
        "user_map_not_utf8": "사용자 매핑 {path} 이(가) UTF-8 텍스트가 아닙니다",
        "aws_no_profile": "AWS 프로파일 {profile} 이(가) AWS 설정에 없습니다: `aws configure list-profiles` 로 목록을 "
                          "보세요",
        # pricing.book: a price file ($BEDROCK_USAGE_PRICES) and its rows
        "price_file_missing": "가격 파일 {path} 이(가) 없습니다",
        "price_file_unreadable": "가격 파일 {path} 을(를) 읽을 수 없습니다: {reason}",
        "price_file_not_utf8": "가격 파일 {path} 이(가) UTF-8 텍스트가 아닙니다: UTF-8 로 저장하세요",
        "price_file_unparsed": "가격 파일 {path} 을(를) 해석할 수 없습니다: {reason}",
        "price_file_not_list": "가격 파일 {path} 은(는) 'prices' 아래에 행 목록을 담아야 합니다",
        "price_file_empty": "가격 파일 {path} 에 가격 행이 없어 그 가격을 받는 호출이 없습니다: 행을 넣거나 "
                            "(README.md 의 Prices 절에 열이 있습니다), 목록 가격을 쓰려면 --prices 를 빼세요",
        "price_row_at": "{file} 의 {number} 번째 행",
        "price_line_at": "{file} 의 {number} 번째 줄",
        "price_field_at": "{where}: {field}",
        "price_not_number": "{where}: {name} '{value}' 은(는) 숫자가 아닙니다",
        "price_negative": "{where}: {name} 은(는) 음수일 수 없습니다",
        "price_implausible": "{where}: {name} 이(가) {unit} 당 {amount} USD 인 것은 있을 법하지 않습니다; 여기서 토큰 "
                             "가격은 1,000 토큰당입니다 (100만 토큰당 가격을 1,000 으로 나누세요)",
        "price_per_1k": "1,000 토큰",
        "price_unknown_keys": "{where}: 알 수 없는 키 {keys}; 행의 열: {fields}",
        "price_no_model": "{where}: 가격 행마다 'model' (기본 모델 ID) 이 필요합니다",
        "price_base_model": "{where}: model 은 기본 모델 ID ({base}) 여야 하며, 엔드포인트 계열은 \"family\" 에 "
                            "씁니다",
        "price_other_partition": "{where}: {model} 의 행이 {region} 을(를) 지정합니다: {why}. 그래서 그 가격을 받는 "
                                 "호출이 없습니다",
        "price_bad_choice": "{where}: {model} 의 {field} '{value}' 은(는) {allowed} 중 하나여야 합니다",
        "price_bad_tier": "{where}: {model} 의 tier '{tier}' 은(는) base, above_{{N}}k, "
                          "image_{{side}}_{{standard|premium}}, video_{{lines}} 중 하나여야 합니다",
        "price_context_tier": "{where}: {model} 의 tier '{tier}': 컨텍스트 티어는 above_1k 부터 {top} 까지입니다",
        "price_dates_order": "{where}: {model} 의 effective_to {end} 이(가) effective_from {start} 보다 뒤가 아닙니다",
        "price_per_unit_no_unit": "{where}: {model} 의 행에 per_unit 가격은 있지만 unit 이 없습니다; unit 을 image, "
                                  "second, query 중 하나로 지정하세요 (tokens 행은 1,000 토큰의 가격입니다)",
        "price_no_rate": "{where}: {model} 의 행에 가격이 없습니다; {fields} 나 per_unit 중 하나 이상을 지정하세요",
        "price_extra_cells": "{where}: 헤더의 열보다 셀이 많습니다 (끝에 쉼표?); 각 행에 헤더의 열만큼 셀을 두세요",
        # qdev.kiro_prices: a Kiro price file ($BEDROCK_USAGE_KIRO_PRICES) and its rows (price_row_at, price_not_number)
        "kiro_file_unreadable": "Kiro 가격 파일 {path} 을(를) 읽을 수 없습니다: {reason}",
        "kiro_file_not_utf8": "Kiro 가격 파일 {path} 이(가) UTF-8 텍스트가 아닙니다",
        "kiro_file_not_json": "Kiro 가격 파일 {path} 이(가) 올바른 JSON 이 아닙니다 ({reason})",
        "kiro_file_not_list": "Kiro 가격 파일 {path} 은(는) 객체의 JSON 목록을 담아야 합니다",
        "kiro_missing": "{where}: {fields} 이(가) 없습니다 (열: {columns})",
        "kiro_below_zero": "{where}: {field} 은(는) 0 이상의 숫자여야 합니다 (받은 값: {value})",
        "kiro_verified": "{where}: verified 는 true 나 false 여야 합니다 (받은 값: {value})",
        # governance.profiles: an inference-profiles file ($BEDROCK_USAGE_INFERENCE_PROFILES) and its entries
        "profiles_unreadable": "--inference-profiles {path} 을(를) 읽을 수 없습니다: {reason}",
        "profiles_not_json": "--inference-profiles {path} 이(가) 올바른 JSON 이 아닙니다: {reason}",
        "profiles_not_object": "--inference-profiles {path} 은(는) 프로파일 ARN 을 키로 하는 JSON 객체 하나를 담아야 "
                               "합니다",
        "profile_at": "--inference-profiles {path} 의 항목 {arn}",
        "profile_not_arn": "{where}: 키가 애플리케이션 추론 프로파일 (application-inference-profile) ARN 이 아닙니다",
        "profile_no_model": "{where}: \"model_id\" 문자열이 필요합니다 (예: "
                            "us.anthropic.claude-3-haiku-20240307-v1:0)",
        "profile_bad_tags": "{where}: \"tags\" 는 문자열 값의 객체여야 합니다",
        "profile_unknown_fields": "{where}: 알 수 없는 필드 {fields}",
        # governance: the bill per caller's inputs (a CUR 2.0 export's copy, the account), a budget's as-of day; the
        # grouping's tag key (engines.queries)
        "account_not_id": "--account {account} 은(는) 12자리 AWS 계정 ID 가 아닙니다",
        "cur_dir_not_folder": "--cur-dir {folder} 은(는) 폴더가 아닙니다",
        "cur_no_export": "{folder} 아래에 CUR 2.0 내보내기가 없습니다: --cur-dir 에 {layout} 를 담은 폴더 "
                         "(s3://BUCKET/PREFIX/EXPORT-NAME/ 의 사본) 를 지정하세요",
        "cur_several_exports": "{folder} 에 내보내기 {count} 개의 청구 기간이 있습니다 ({exports}): --cur-dir 에 그 중 "
                               "하나의 폴더를 지정하세요",
        "cur_unreadable": "{folder} 아래의 CUR 2.0 파일을 읽을 수 없습니다: {reason}",
        "bill_one_place": "호출자별 청구는 한 곳에서만 읽습니다: --cur-dir DIR, --cur, --ce-principal-tag KEY 중 "
                          "하나를 지정하세요",
        "bill_caller_names": "--ce-principal-names 는 {names} 중 하나여야 합니다",
        "logs_of_accounts": "로그 폴더에 계정 {count} 개 ({accounts}) 의 로그가 있습니다: 청구서와 비교할 계정을 "
                            "--account 로 고르세요",
        "give_account": "--account 를 지정하세요: 로그와 청구서를 비교할 계정입니다",
        "as_of_after_today": "기준일 {day} 이(가) 오늘 ({zone} 의 {today}) 보다 뒤입니다: 오늘까지의 종료일 "
                             "(--end-date) 을 지정하세요",
        "tag_key_invalid": "태그 키 {key} 은(는) requestMetadata 키가 될 수 없습니다: 키는 1-256 자의 문자, 숫자, 공백 "
                           "또는 :_@$#=/+,-. 입니다",
        # logs.period: the period asked for (dates, their order and length, the time zone)
        "day_not_iso": "{option} '{value}' 은(는) YYYY-MM-DD 형식의 날짜가 아닙니다",
        "day_not_in_calendar": "{option} '{value}' 은(는) 달력에 있는 날이 아닙니다 ({reason})",
        "zone_empty": "시간대가 비어 있습니다: UTC 나 Asia/Seoul 같은 시간대 이름을 지정하세요",
        "zone_unknown": "시간대 '{zone}' 은(는) UTC 나 Asia/Seoul 같은 시간대 이름이 아닙니다",
        "zone_not_athena": "시간대 '{zone}' 은(는) Amazon Athena 가 모르는 시간대라 같은 보고서가 Athena 에서 "
                           "실패합니다: America/New_York 같은 지역의 시간대나 Etc/GMT+5 같은 오프셋을 지정하세요",
        "days_out_of_range": "--days 는 1 이상 {limit} 이하여야 합니다 (받은 값: {days})",
        "days_and_dates": "--days 를 --start-date, --end-date 와 함께 줄 수 없습니다: 셋 중 둘만 지정하세요",
        "start_after_today": "시작일 {start} 이(가) 오늘 ({zone} 의 {today}) 보다 뒤라 아직 로그가 없습니다",
        "days_leave_calendar": "{day} 부터 {days}일은 달력 (1년 ~ 9999년) 을 벗어납니다",
        "start_after_end": "시작일 {start} 이(가) 종료일 {end} 보다 뒤입니다",
        "range_too_long": "기간 {period} 은(는) {days}일입니다: 한 번에 {limit}일까지 읽을 수 있습니다",
        "period_after_today": "기간 {period} 은(는) 오늘 ({today}) 보다 뒤에 시작하여 아직 로그가 없습니다",
        "calendar_ends": "요청한 날짜가 달력 (1년 ~ 9999년) 의 끝에 너무 가깝습니다",
        # governance: reconciliation with the bill, overall and per caller
        "other_accounts": "다른 계정 ({accounts}) 호출자의 로그 호출 {calls} 건은 제외했습니다: 계정 {account} 의 "
                          "호출자만 그 청구서와 비교합니다",
        "account_calls": "{line} (계정 {account} 호출자의 호출)",
        "cloudwatch_failed": "{region} 의 CloudWatch 지표를 읽지 못했습니다: {reason}",
        "cost_explorer_failed": "Cost Explorer 를 읽지 못해 청구 비용이 없습니다: {reason}",
        "billed_elsewhere": "Cost Explorer 가 기간 중 로그를 읽지 않은 {named} 에서 Bedrock 을 청구했습니다: 그곳의 "
                            "로깅이 꺼져 있거나, 리전이 빠졌나요?",
        "unmetered_days": "{days} 개 리전-일에 로그 호출 {calls} 건이 있지만 CloudWatch 에는 호출이 없습니다: 로그가 "
                          "이 계정과 이 리전의 것인가요?",
        "unmetered_models": "{days} 개 리전-일의 로그 호출 {calls} 건은 그날 CloudWatch 지표가 없는 모델의 것입니다 "
                            "(지표 없는 로그 호출): CloudWatch 가 집계하는 모델만 비교하는 커버리지에서 제외됩니다",
        "routed_calls": "프롬프트 라우터를 통한 호출 {calls} 건은 로그 응답이 밝힌 대로 라우터가 고른 모델 아래에 "
                        "집계됩니다; 이런 호출의 CloudWatch ModelId 는 문서화되어 있지 않아 그 모델의 행 (및 라우터 "
                        "ID의 행) 은 그만큼 다를 수 있습니다",
        "batch_billed": "배치 추론이 기간 중 {where} 에서 {amount} 청구되었습니다. " + BATCH_NOT_LOGGED_KO + ". 따라서 "
                        "{kept}",
        "no_region_code": "Cost Explorer 가 리전 코드를 알 수 없는 사용 유형 {count} 개 ({names}) 에 {amount} 를 "
                          "청구했습니다: 청구 합계에 포함되며 어떤 리전-일에도 속하지 않습니다",
        "unknown_tier": "추정치가 호출에 매기는 티어 (standard, flex, priority, 지연 시간 최적화; 배치는 "
                        "따로) 를 밝히지 않는 사용 유형 {count} 개에 {amount} 가 청구되었습니다, {named}: 예약 "
                        "용량, 프로비저닝된 처리량, 모델 사용자 지정 또는 공개 자료에 없는 단어입니다. 추정치와 "
                        "비교하지 "
                        "않고 {kept}",
        "batch_elsewhere": "Cost Explorer 가 기간 중 로그를 읽지 않은 {named} 에서 배치 추론을 청구했습니다. "
                           + BATCH_NOT_LOGGED_KO + ". 빠진 로그는 없습니다 (읽은 리전만 담는 리전-일과 "
                           "그 합계에는 들지 않습니다)",
        "batch_unread": "로그를 읽지 않은 리전의 배치 추론 청구 {named} 는 배치 추론 청구가 아니라 그 리전의 다른 "
                        "청구와 함께 읽지 않은 리전에 들어가며, 배치 줄에는 읽지 않은 리전의 것으로 나옵니다: 배치는 "
                        "로그와 비교하지 않으므로 그 리전을 추가해도 비교되지 않습니다",
        "billed_outside": "로그를 읽지 않은 리전 ({regions}) 에서 {amount} 가 청구되었습니다: 비교하려면 그 리전을 "
                          "추가하세요",
        "no_caller_identity": "내보내기에 호출자 ID (line_item_iam_principal) 가 없습니다: 내보내기에서 'Include "
                              "caller identity (IAM principal) allocation data' 를 켜세요 (docs/governance.md); 그 "
                              "Bedrock 비용은 주체 없는 청구로 집계됩니다",
        # governance: the bill per caller (CUR 2.0 export, Cost Explorer's principal tags)
        "cur_monthly": "하루보다 긴 기간의 항목 {items} 개 ({amount}) 는 제외했습니다: 내보내기의 시간 단위가 MONTHLY "
                       "입니다. 일별 대조에는 DAILY 또는 HOURLY 가 필요합니다",
        "cur_no_files": "{folder} 아래에 청구 기간 {month} 의 내보내기 파일이 없습니다",
        "cur_no_partition": "{region} 의 테이블 {table} 에 청구 기간 {month} 의 내보내기 파일이 없습니다",
        "cur_nested": "{folder} 의 하위 폴더에 있는 Parquet 파일 {count} 개는 읽지 않습니다: 새로 고칠 때마다 새 "
                      "파일을 만드는 내보내기는 새로 고칠 때마다 전체 사본을 남깁니다. 덮어쓰기 전달 방식의 "
                      "내보내기를 쓰세요",
        "ce_tag_not_principal": "태그 {tag} 는 IAM 주체 태그가 아닙니다 (Cost Explorer 에서는 {prefix}KEY 로 "
                                "읽힙니다): 주체 태그일 때만 그 태그로 호출을 나눕니다",
        # governance.chargeback: a line of the Amazon Q / Kiro report among the developer warnings
        "qdev_side": "Amazon Q / Kiro 보고서: {line}",
        "chargeback_unpriced": "호출 {calls} 건에 가격이 없습니다: 토큰은 행에 있지만 비용은 없습니다 (가격 없음 표 "
                               "참조)",
        # qdev.analysis: the Amazon Q / Kiro report's files and figures
        "qdev_skipped": "{what} {count} 개를 건너뛰었습니다 ({reasons})",
        "qdev_reason": "{reason} {count} 개",
        "qdev_none_readable": "{period} 에 나열된 {kinds} 을(를) 하나도 읽지 못해 보고서를 만들지 않습니다 ($0 은 "
                              "지출 없음으로 읽힙니다): Amazon Q Developer 와 Kiro 가 전달하는 그대로 (온전하고 바꾸지 "
                              "않은) 파일을 읽으세요",
        "qdev_unread_files": "{what} {count} 개 ({reasons})",
        "developer_none_readable": "{period} 의 Amazon Q / Kiro 파일 {count} 개를 하나도 읽지 못해 ({kinds}) 개발자 "
                                   "비용을 만들지 않습니다 ($0 좌석과 Kiro 비용은 지출 없음으로 읽힙니다): AWS 가 "
                                   "전달하는 그대로 로그와 보고서를 읽으세요 (온전하고 gzip 으로 압축된 프롬프트 로그, "
                                   "CSV 보고서)",
        "qdev_kind_reasons": "{what} {count} 개: {reasons}",
        "qdev_no_files": "{period} 에 프롬프트 로그 파일이 없습니다",
        "qdev_sampled": "프롬프트 로그 파일 {listed} 개 중 {selected} 개만 표본으로 읽었습니다 (--sample): 수치는 "
                        "표본만 포함합니다",
        "qdev_duplicates": "이미 읽은 프롬프트 로그 레코드 {count} 개를 무시했습니다 (같은 계정, 리전, 요청 유형, "
                           "사용자, requestId, timeStamp: 로그의 사본이거나 다시 전달된 레코드)",
        "qdev_anonymous": "userId 가 없는 프롬프트 로그 레코드 {count} 개: 그 요청과 토큰은 {unknown} 아래에 "
                          "집계되며, 사용자로도 구독으로도 세지 않습니다",
        "qdev_unpriced_tokens": "가격표가 그날과 리전에 가격을 매기지 않는 모델 ({models}) 의 토큰 {tokens} 개는 "
                                "집계되지만 가상 비용에는 없습니다",
        "activity_none": "{period} 의 폴더에 사용자 활동 보고서가 없습니다 (하루의 보고서는 다음 날 폴더에 있음): "
                         "활동 수치는 빠진 것이 아니라 비어 있습니다",
        "activity_region_failed": "{region} 의 활동 보고서를 읽지 못했습니다: {reason}",
        "activity_replaced": "나중 파일에 다시 전달된 활동 보고서 행 {rows} 개 (나중 파일을 집계하고 이전 파일은 "
                             "집계하지 않습니다)",
        "usage_spike": "사용량 급증: {user} 의 {day}: 이벤트 {events} 개, 직전 평균 ({average}) 의 {ratio}배",
        "kiro_region_failed": "{region} 의 Kiro 사용자 보고서를 읽지 못했습니다: {reason}",
        "kiro_replaced": "나중에 다시 내보낸 Kiro 사용자 보고서 행 {rows} 개 (나중 내보내기를 집계하고 이전 것은 "
                         "집계하지 않습니다)",
        "kiro_unpriced_tiers": "공개된 가격이 없는 Kiro 티어 {tiers}: 그 좌석과 초과 사용은 비용에 없습니다 "
                               "(--kiro-prices 로 추가하세요)",
        "kiro_no_tier": "한 달의 마지막 보고서 행에 Subscription_Tier 가 없는 Kiro 사용자 {users}: 그 달의 좌석과 "
                        "초과 사용은 비용에 없습니다",
        "kiro_seats_from_first_row": "{people} 명의 Kiro 좌석은 첫 보고서 행의 달부터 집계했습니다 (그 전에는 좌석을 "
                                     "알 수 없습니다)",
        "kiro_unpriced_days": "Kiro 티어 {tier} 는 기간 중 {count}일 ({days}) 에 가격이 없습니다: 그 좌석과 초과 "
                              "사용은 비용에 없습니다 (--kiro-prices 로 가격 행을 추가하세요)",
        "kiro_flagged": "Kiro 크레딧: {user} ({tier}) {status}: 이번 달 {used}{allowance} 크레딧 사용, 월말 예상 "
                        "{projected}",
        "kiro_allowance_of": " / {allowance}",
        "kiro_unreported": "Kiro 사용자 보고서에 {period} 의 행이 없는 {count} 명이 프롬프트 로그나 활동 보고서에서 "
                           "Kiro 를 사용했습니다 ({people}): 그 Kiro 좌석과 초과 사용은 Kiro 비용에 없습니다",
        # qdev.limits: Amazon Q Developer Pro's documented monthly limits
        "limit_warning": "{name}: {subject} {status}: 이번 달 {allowance} {unit} 중 {used} 사용 ({share}), 월말 예상 "
                         "{projected}{caveat}",
        "limit_unverified": " (한도 수치 미확인)",
        # qdev.identity_center: looking people up
        "identity_no_store": "사람을 조회할 IAM Identity Center 디렉터리가 없습니다: 어떤 사용자 ID 도 디렉터리 "
                             "(d-xxxxxxxxxx.…) 를 밝히지 않습니다. --identity-store d-xxxxxxxxxx 를 지정하세요",
        "identity_stopped": "{store} 의 IAM Identity Center 조회가 중단되었습니다 ({error}): 이메일이 없는 사람은 ID "
                            "로 표시됩니다. 필요한 호출: {permissions}",
    },
}

PHRASES: dict[str, dict[str, str]] = {
    "ko": {
        # the parts of a lifecycle rule's filter not evaluated (aws.log_lifecycle)
        UNCHECKED_TAGS: "객체 태그",
        UNCHECKED_SIZE: "객체 크기",
        # what the logging check reads of a log bucket, named when a read fails (aws.logging_status)
        READ_BUCKET_REGION: "버킷 리전",
        READ_BUCKET_POLICY: "버킷 정책",
        READ_NEWEST_LOG: "가장 최근 로그",
        READ_ENCRYPTION: "버킷 암호화",
        # why a call has no price (report.tracker)
        OPAQUE_ENDPOINT_REASONS["application-profile"]: "모델을 알 수 없는 애플리케이션 추론 프로파일: "
                                                        "inference-profiles 파일에 지정하세요 (docs/governance.md "
                                                        "참조)",
        OPAQUE_ENDPOINT_REASONS["provisioned"]: "프로비저닝된 처리량: 토큰이 아니라 모델 단위 시간으로 청구됩니다. "
                                                "청구서나 Cost Explorer 를 보세요",
        OPAQUE_ENDPOINT_REASONS[PROMPT_ROUTER]: "프롬프트 라우터: 고른 모델이 로그 응답에 없습니다 (인라인으로 로깅된 "
                                                "Converse 나 ConverseStream 응답만 그 모델을 밝힙니다)",
        OPAQUE_ENDPOINT_REASONS["imported"]: "Custom Model Import: 토큰이 아니라 5분마다 사용자 지정 모델 단위로 "
                                             "청구됩니다. 청구서나 Cost Explorer 를 보세요",
        OPAQUE_ENDPOINT_REASONS["custom-deployment"]: "가격표에 없는 사용자 지정 모델 배포 (사용자 지정 모델의 "
                                                      "온디맨드 추론): 청구서나 Cost Explorer 를 보세요",
        OPAQUE_ENDPOINT_REASONS["marketplace"]: "SageMaker 엔드포인트의 Bedrock Marketplace 모델: 토큰이 아니라 "
                                                "엔드포인트 인스턴스 (및 제공자 요금) 로 청구됩니다. 청구서나 Cost "
                                                "Explorer 를 보세요",
        NEEDS_BODY: "본문 로깅이 필요합니다",
        IMPOSSIBLE_UNITS: "로깅된 요청이 어떤 호출에도 청구될 수 없는 수의 이미지, 비디오 초 또는 리랭크 쿼리를 "
                          "요청합니다 (1 미만이거나 1,000 초과): 손상되었거나 수동으로 만든 레코드입니다",
        NO_MEDIA_PRICE: "입력한 이미지, 비디오, 오디오 또는 비동기 임베딩 작업의 가격이 없습니다",
        BODY_OFFLOADED: "100 KB가 넘는 요청 본문이 /data/ 아래에 따로 전달되어 보고서가 읽지 않습니다",
        OFFLOADED_UNITS["image"]: "청구되는 이미지는 그곳에서만 알 수 있습니다",
        OFFLOADED_UNITS["second"]: "청구되는 비디오 초는 그곳에서만 알 수 있습니다",
        OFFLOADED_UNITS["query"]: "청구되는 리랭크 쿼리는 그곳에서만 알 수 있습니다",
        OFFLOADED_UNITS["tokens"]: "입력한 미디어는 그곳에서만 알 수 있습니다",
        NO_TIER: "이 이미지 크기나 비디오 해상도의 가격이 없습니다",
        NO_CONTEXT_TIER: "이 모델의 엔드포인트, 리전, 날짜에 긴 컨텍스트 가격이 없습니다",
        NO_VIDEO_REQUEST: "요청에 비디오 길이나 해상도가 없습니다",
        NEEDS_AUDIO_SPLIT: "음성 토큰과 텍스트 토큰이 로그에서 나뉘어 있지 않습니다",
        INPUT_NOT_IN_TOKENS: "입력은 비디오 초 단위로 청구되며 로그에 없습니다",
        SERVICE_TIER_REASONS["reserved"]: "예약 티어: 호출별이 아니라 예약으로 지불됩니다",
        UNKNOWN_SERVICE_TIER: "가격표가 모르는 서비스 티어로 처리되었습니다",
        TIER_NO_PRICE["flex"]: "이 모델, 리전, 엔드포인트의 flex 티어 가격이 없습니다",
        TIER_NO_PRICE["priority"]: "이 모델, 리전, 엔드포인트의 priority 티어 가격이 없습니다",
        TIER_NO_PRICE["latency"]: "이 모델, 리전, 엔드포인트의 지연 시간 최적화 가격이 없습니다",
        **{reason: f"{RATE_NAMES_KO[name]} 가격이 없습니다" for name, reason in MISSING_RATE_REASONS.items()},
        **{reason: f"이 모델, 리전, 엔드포인트의 {MODE_RATE_NAMES_KO[mode]} {RATE_NAMES_KO[name]} 가격이 없습니다"
           for mode, reasons in MODE_MISSING_RATE_REASONS.items() for name, reason in reasons.items()},
        # why an AWS call or an Athena query failed, where the service says nothing (aws.session, engines.athena)
        ERROR_PAGE: "서비스가 오류 페이지로 응답했습니다 (여기서 이 API 를 쓸 수 있나요?)",
        UNREADABLE_RESPONSE: "AWS 가 읽을 수 없는 응답을 보냈습니다 (여기서 이 API 를 쓸 수 있나요?)",
        NO_REASON: "이유 없음",
        # why an application inference profile stays unresolved (governance.profiles)
        NOT_IN_FILE: "--inference-profiles 파일에 없습니다",
        NO_FOUNDATION_MODEL: "프로파일의 모델이 하나의 파운데이션 모델을 가리키지 않습니다",
        # why an object was skipped, or a region's logs are not read (engines)
        UNREADABLE: "읽을 수 없는 객체",
        EMPTY: "빈 객체",
        NAME_NOT_UTF8: "객체 경로가 UTF-8이 아닙니다 (서비스는 이런 경로를 쓰지 않습니다)",
        NOT_GZIP_NAME: "이름이 .json.gz 가 아닙니다 (서비스는 다른 레코드 객체를 쓰지 않으며, 수동 복사본일 수 "
                       "있습니다)",
        NOT_GZIP: "gzip이 아닙니다",
        CUT_SHORT: "gzip이 중간에 끊겼습니다 (아직 쓰는 중인 객체이거나 일부만 복사된 사본)",
        DAMAGED_GZIP: "손상된 gzip 데이터 (압축 바이트가 깨졌거나 체크섬이 맞지 않음: 손상된 사본)",
        TRAILING_BYTES: "gzip 데이터 뒤에 gzip이 아닌 바이트가 있습니다 (손상되었거나 덧붙여진 사본)",
        UNREADABLE_FOLDER: "읽을 수 없는 폴더, 객체 하나로 집계 (안의 객체는 읽지 않음)",
        UNREADABLE_PAYLOADS: "요청 및 응답 본문의 읽을 수 없는 /data/ 폴더 (레코드는 없음)",
        DANGLING_LINK: "대상이 없는 심볼릭 링크",
        HIDDEN: "숨김: 이름이나 날짜 폴더 아래 폴더 이름이 _ 또는 . 으로 시작합니다 (Athena도 이런 객체를 건너뜁니다: "
                "읽히게 하려면 이름을 바꾸세요)",
        OUTSIDE_DAY_FOLDERS: "월 폴더 안에 있어 어떤 보고서도, Athena 테이블도 읽지 않습니다 (서비스는 날짜 폴더 "
                             "{region}/yyyy/MM/dd/HH/ 에만 객체를 씁니다)",
        NOT_ASKED_FOR: "요청한 리전이 아닙니다",
        # who reads a team's bucket, and what kind of bucket (BucketGrant.reads_beyond)
        "the check": "이 확인",
        "log bucket": "로그 버킷",
        READER: "Amazon Q / Kiro 보고서",
        READER_REPORT_BUCKET_GRANT.kind: "보고서 버킷",
        READER_REPORT_BUCKET_GRANT.statements: "보고서 버킷 읽기",
        PARTITION_NAMES["aws-cn"]: "중국",
        PARTITION_NAMES["aws-eusc"]: "유럽 소버린 클라우드",
        UNKNOWN_REGION: "폴더 이름이 이 botocore가 아는 Amazon Bedrock 리전이 아니어서 그 호출은 이 수치에 없습니다 "
                        "(botocore보다 새로운 리전: boto3와 botocore를 업그레이드하세요)",
        # where batch inference's charges are counted (governance.reconcile.batch_warnings)
        BATCH_KEPT: "따로 집계합니다 (배치 추론 청구): 청구 합계에는 포함되고 비교에서는 제외됩니다",
        BATCH_LISTED: "호출자 없이 따로 (배치) 나열합니다",
        # where a charge whose usage type names no tier is counted (governance.reconcile.unknown_tier_warnings)
        UNKNOWN_TIER_KEPT: "리전-일 합계와, 모델이나 티어와 연결되지 않은 청구에 집계합니다",
        UNKNOWN_TIER_LISTED: f"호출자의 청구와, 호출자·모델별로는 모드 {UNKNOWN_TIER} 아래에 집계합니다",
        # why records were skipped (report.tracker.SKIPPED_RECORD_REASONS)
        SKIPPED_RECORD_REASONS[SKIPPED_NOT_JSON]: "JSON 이 아닌 줄 (여러 줄로 보기 좋게 나눠 쓴 레코드는 줄마다 하나로 "
                                                  "셉니다)",
        SKIPPED_RECORD_REASONS[SKIPPED_NO_TIMESTAMP]: "읽을 수 있는 timestamp 없음",
        SKIPPED_RECORD_REASONS[SKIPPED_TOKEN_COUNTS]: "불가능하거나 정수가 아닌 토큰 수",
        # what the Amazon Q / Kiro report skipped, and why (qdev)
        UNREADABLE_PROMPT_LOG: "읽을 수 없는 프롬프트 로그 파일",
        UNUSABLE_RECORD: "쓸 수 없는 레코드",
        UNREADABLE_ACTIVITY_REPORT: "읽을 수 없는 활동 보고서",
        UNUSABLE_ACTIVITY_ROW: "쓸 수 없는 활동 보고서 행",
        UNREADABLE_USER_REPORT: "읽을 수 없는 Kiro 사용자 보고서",
        UNUSABLE_USER_REPORT_ROW: "쓸 수 없는 Kiro 사용자 보고서 행",
        PROMPT_LOG_FILE: "프롬프트 로그 파일",
        ACTIVITY_REPORT: "활동 보고서",
        KIRO_USER_REPORT: "Kiro 사용자 보고서",
        logs.TRUNCATED_GZIP: "gzip이 잘렸거나 손상됨",
        logs.EMPTY_FILE: "빈 파일",
        logs.NOT_UTF8: "UTF-8 텍스트가 아님",  # the activity reports' and Kiro user reports' words too
        logs.MALFORMED_JSON: "잘못된 JSON",
        logs.NO_RECORDS: "'records' 목록 없음",
        logs.RECORD_NOT_OBJECT: "레코드가 객체가 아님",
        logs.NO_REQUEST: "알려진 요청 객체 없음",
        logs.NO_TIMESTAMP: "timeStamp 없음",
        logs.BAD_TIMESTAMP: "잘못된 timeStamp",
        logs.RESPONSE_NOT_OBJECT: "응답이 객체가 아님",
        logs.COMPLETION_NOT_TEXT: "completion 이 텍스트가 아님",
        logs.COMPLETIONS_NOT_LIST: "completions 가 목록이 아님",
        OBJECT_GONE: "객체가 사라짐",
        FILE_GONE: "파일이 사라짐",
        act.NO_HEADER: "UserId/Date 헤더 없음",
        kr.NO_HEADER: "Date/UserId 헤더 없음",
        act.WRONG_CELL_COUNT: "셀 수가 맞지 않음",  # the Kiro user reports' words too, as the three below
        act.NO_USER: "UserId 없음",
        act.BAD_DATE: "잘못된 Date",
        act.BAD_NUMBER: "잘못된 숫자",
        act.CELL_TOO_LONG: f"{act.CELL_LIMIT:,} 자보다 긴 셀",
        kr.BAD_FLAG: "잘못된 true/false",
        # a Kiro row's tier, a limit's or an allowance's verdict, and who a limit is counted for (qdev)
        NO_KIRO_TIER: "티어 없음",
        **{limit.name: LIMIT_NAMES["ko"][limit.key] for limit in PRO_LIMITS},
        **{status: LIMIT_STATUSES["ko"][status] for status in (EXCEEDED, PROJECTED_TO_EXCEED, WARNING, IN_OVERAGE,
                                                             OVER_ALLOWANCE)},
        ACCOUNT: ACCOUNT_POOL["ko"],
        CODE_TRANSFORMATION_LINES.unit: "줄",
        DEV_AGENT_INVOCATIONS.unit: "회",
    },
}

# Fixed phrases with a figure or a name in them (``{name}`` in the shared code's English constant, filled in there with
# ``str.format``): a value that reads as the English form is worded here with the same figures.
PHRASE_FORMS: dict[str, dict[str, str]] = {
    "ko": {
        OVER_CAP_MIB: f"압축을 풀면 {{size}} MiB 를 넘습니다 (객체당 한도: {MAX_OBJECT_ENV} 로 늘리세요)",
        OVER_CAP_BYTES: f"압축을 풀면 {{size}} 바이트를 넘습니다 (객체당 한도: {MAX_OBJECT_ENV} 로 늘리세요)",
        DOWNLOAD_FAILED: "다운로드 실패 ({error})",
        OTHER_PARTITION: "폴더 이름이 {partition} 파티션 ({name}) 의 리전이며, 이 도구는 그 로그를 읽지도 가격을 "
                         "매기지도 않습니다 (aws 와 aws-us-gov 파티션의 리전을 읽습니다)",
        FILE_NOT_READABLE: "읽을 수 없는 파일 ({error})",
    },
}
