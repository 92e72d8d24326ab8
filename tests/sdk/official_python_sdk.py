"""Drives `csms serve` with the official Huawei Cloud Python SDK, unchanged.

Usage: official_python_sdk.py ENDPOINT PROJECT_ID AK SK
Exits non-zero on the first disagreement.
"""
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest, CreateSecretRequestBody, CreateSecretTagRequest, CreateSecretTagRequestBody,
    CreateSecretVersionRequest, DeleteSecretTagRequest, ListSecretTagsRequest, TagItem,
    CreateSecretVersionRequestBody, CsmsClient, DeleteSecretForScheduleRequest,
    DeleteSecretForScheduleRequestBody, DeleteSecretRequest, ListSecretVersionsRequest,
    ListSecretsRequest, RestoreSecretRequest, ShowSecretRequest, ShowSecretVersionRequest,
    UpdateSecretRequest, UpdateSecretRequestBody, DeleteSecretStageRequest,
    BatchCreateOrDeleteTagsRequest, BatchCreateOrDeleteTagsRequestBody, CreatePasswordRequestBody,
    DownloadSecretBlobRequest, GenerateRandomPasswordRequest, ListProjectSecretsTagsRequest,
    UpdateVersionRequest, UpdateVersionRequestBody, UploadSecretBlobRequest, UploadSecretBlobRequestBody,
)

endpoint, project, ak, sk = sys.argv[1:5]
config = HttpConfig.get_default_config()
config.retry_times = 0
client = (CsmsClient.new_builder()
          .with_http_config(config)
          .with_credentials(BasicCredentials(ak, sk, project))
          .with_endpoints([endpoint])
          .build())


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


name = "sdk-check.secret_1"
created = client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(
    name=name, secret_string="s3cr3t", description="Datenbank-Passwort üé")))
check(created.secret.name == name and created.secret.state == "ENABLED", "create_secret")

for i in range(5):
    client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=f"sdk-page-{i}", secret_string="x")))
listed = client.list_secrets(ListSecretsRequest(limit="3"))
check(len(listed.secrets) == 3 and listed.page_info.next_marker, "list_secrets first page")
rest = client.list_secrets(ListSecretsRequest(limit="50", marker=listed.page_info.next_marker))
check(len(listed.secrets) + len(rest.secrets) == 6, "list_secrets second page by marker")

shown = client.show_secret(ShowSecretRequest(secret_name=name))
check(shown.secret.description == "Datenbank-Passwort üé", "show_secret")

client.update_secret(UpdateSecretRequest(secret_name=name, body=UpdateSecretRequestBody(description="new")))
client.create_secret_version(CreateSecretVersionRequest(
    secret_name=name, body=CreateSecretVersionRequestBody(secret_string="v2 value")))
versions = client.list_secret_versions(ListSecretVersionsRequest(secret_name=name))
check([v.id for v in versions.version_metadatas] == ["v1", "v2"], "list_secret_versions")
latest = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest"))
check(latest.version.secret_string == "v2 value", "show_secret_version latest")

def refused(call, status, code, what):
    """The call fails with exactly this status and error code, and a request id."""
    try:
        call()
        check(False, what)
    except exceptions.ClientRequestException as e:
        check(e.status_code == status and e.error_code == code and e.request_id,
              f"{what}: {status} {code} (got {e.status_code} {e.error_code})")


refused(lambda: client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="v99")),
        400, "CSMS.0005", "a version that does not exist")
refused(lambda: client.delete_secret_stage(DeleteSecretStageRequest(secret_name=name, stage_name="SYSCURRENT")),
        400, "CSMS.0105", "a built-in stage cannot be deleted")
refused(lambda: client.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name=name, secret_string="x"))),
        400, "CSMS.0003", "a name that exists")
for i in range(3, 21):
    client.create_secret_version(CreateSecretVersionRequest(
        secret_name=name, body=CreateSecretVersionRequestBody(secret_string=f"v{i} value")))
refused(lambda: client.create_secret_version(CreateSecretVersionRequest(
    secret_name=name, body=CreateSecretVersionRequestBody(secret_string="one too many"))),
        400, "CSMS.0202", "a secret holds 20 versions")

secret_id = shown.secret.id
client.create_secret_tag(CreateSecretTagRequest(
    secret_id=secret_id, body=CreateSecretTagRequestBody(tag=TagItem(key="env:prod=测试 key", value="blue"))))
tags = client.list_secret_tags(ListSecretTagsRequest(secret_id=secret_id))
check([(t.key, t.value) for t in tags.tags] == [("env:prod=测试 key", "blue")], "create_secret_tag / list_secret_tags")
client.delete_secret_tag(DeleteSecretTagRequest(secret_id=secret_id, key="env:prod=测试 key"))
check(client.list_secret_tags(ListSecretTagsRequest(secret_id=secret_id)).tags == [], "delete_secret_tag")

generated = client.generate_random_password(GenerateRandomPasswordRequest(body=CreatePasswordRequestBody(
    length=24, exclude_punctuation=True, require_each_included_type=True)))
check(len(generated.password) == 24 and generated.password.isalnum(), "generate_random_password")

updated = client.update_version(UpdateVersionRequest(
    secret_name=name, version_id="v1", body=UpdateVersionRequestBody(expire_time=4102444800000)))
check(updated.version_metadata.id == "v1" and updated.version_metadata.expire_time == 4102444800000,
      "update_version (expire_time)")

client.batch_create_or_delete_tags(BatchCreateOrDeleteTagsRequest(secret_id=secret_id,
    body=BatchCreateOrDeleteTagsRequestBody(action="create",
                                            tags=[TagItem(key="team", value="pay"), TagItem(key="tier", value="1")])))
project_tags = client.list_project_secrets_tags(ListProjectSecretsTagsRequest())
check(sorted((t.key, t.values) for t in project_tags.tags) == [("team", ["pay"]), ("tier", ["1"])],
      "batch_create_or_delete_tags (create) / list_project_secrets_tags")
client.batch_create_or_delete_tags(BatchCreateOrDeleteTagsRequest(secret_id=secret_id,
    body=BatchCreateOrDeleteTagsRequestBody(action="delete", tags=[TagItem(key="tier", value="1")])))
check([t.key for t in client.list_secret_tags(ListSecretTagsRequest(secret_id=secret_id)).tags] == ["team"],
      "batch_create_or_delete_tags (delete)")

blob = client.download_secret_blob(DownloadSecretBlobRequest(secret_name=name)).secret_blob
check(blob and "v2 value" not in blob, "download_secret_blob (sealed)")
refused(lambda: client.upload_secret_blob(UploadSecretBlobRequest(body=UploadSecretBlobRequestBody(secret_blob=blob))),
        400, "CSMS.0003", "upload_secret_blob over an existing secret")

scheduled = client.delete_secret_for_schedule(DeleteSecretForScheduleRequest(
    secret_name=name, body=DeleteSecretForScheduleRequestBody(recovery_window_in_days=7)))
check(scheduled.secret.state == "PENDING_DELETE" and scheduled.secret.scheduled_delete_time > 10**12,
      "delete_secret_for_schedule (milliseconds)")

restored = client.restore_secret(RestoreSecretRequest(secret_name=name))
check(restored.secret.state == "ENABLED", "restore_secret (cancel scheduled deletion)")

try:
    client.restore_secret(RestoreSecretRequest(secret_name=name))
    check(False, "second restore refused")
except exceptions.ClientRequestException as e:
    check(e.status_code == 400 and e.error_code == "CSMS.0108" and e.request_id, "second restore: CSMS.0108")

client.delete_secret(DeleteSecretRequest(secret_name=name))
restored = client.upload_secret_blob(UploadSecretBlobRequest(body=UploadSecretBlobRequestBody(secret_blob=blob)))
check(restored.secret.name == name and restored.secret.state == "ENABLED", "upload_secret_blob brings it back")
back = client.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest"))
check(back.version.secret_string == "v20 value", "the restored secret has its versions")
client.delete_secret(DeleteSecretRequest(secret_name=name))
try:
    client.show_secret(ShowSecretRequest(secret_name=name))
    check(False, "deleted secret is gone")
except exceptions.ClientRequestException as e:
    check(e.status_code == 400 and e.error_code == "CSMS.0106" and e.request_id,
          "deleted secret is gone: 400 CSMS.0106, as the official error table says")

bad = (CsmsClient.new_builder().with_http_config(config)
       .with_credentials(BasicCredentials(ak, "wrong" + sk, project))
       .with_endpoints([endpoint]).build())
try:
    bad.list_secrets(ListSecretsRequest())
    check(False, "a wrong secret key is refused")
except exceptions.ClientRequestException as e:
    check(e.status_code == 401 and e.error_code == "APIGW.0301", "a wrong secret key is refused")
# AK/SK and no project id: the SDK asks IAM (`GET /v3/projects?name=cn-north-4`,
# signed) for the region's project, as against the real cloud.
discovering = BasicCredentials(ak, sk).with_iam_endpoint(endpoint)
found = (CsmsClient.new_builder().with_http_config(config)
         .with_credentials(discovering)
         .with_region(Region("cn-north-4", endpoint)).build())
check(discovering.project_id == project, "the SDK resolves its project id through IAM's project list")
check(isinstance(found.list_secrets(ListSecretsRequest()).secrets, list),
      "and lists secrets in the project it resolved")
print("official SDK: all checks passed")
