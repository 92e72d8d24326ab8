"""Checks that requests signed by csms verify under the official SDK's signer.

Usage: verify_csms_signatures.py PATH_TO_CSMS
A capturing HTTP server answers csms; each request it receives is signed
again with huaweicloudsdkcore's Signer over the headers csms declared, and
the two signatures must be equal.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AK = "HPUAEXAMPLEAK0000001"
SK = "ExampleSecretKey0123456789abcdefGHIJKLMN"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
captured = []


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        captured.append((self.command, self.path, dict(self.headers.items()), body))
        name = unquote(urlsplit(self.path).path.split("/")[4]) if "/secrets/" in self.path else "x"
        secret = {"name": name, "state": "ENABLED"}
        payload = {"secrets": [], "page_info": {}} if self.path.split("?")[0].endswith("/secrets") else {"secret": secret}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


def main():
    csms = sys.argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = "http://127.0.0.1:%d" % server.server_address[1]
    with tempfile.TemporaryDirectory() as d:
        config = os.path.join(d, "config.toml")
        with open(config, "w") as f:
            f.write(f'[profiles.t]\nregion = "cn-north-4"\nproject_id = "{PROJECT}"\nendpoint = "{endpoint}"\n'
                    f'access_key = "{AK}"\nsecret_key_env = "SIG_TEST_SK"\n')
        env = dict(os.environ, SIG_TEST_SK=SK, CSMS_LOG="off")
        for args in (["list", "--page-size", "7"], ["show", "app-db_cred.prod"],
                     ["cancel-deletion", "my-secret_01", "a.b-c_d"],
                     ["schedule-deletion", "my-secret_01", "--days", "9", "--yes"]):
            subprocess.run([csms, "--config", config, *args], env=env, capture_output=True, timeout=60)
    server.shutdown()
    if len(captured) < 5:
        print("FAIL: csms sent only %d requests" % len(captured))
        sys.exit(1)
    for method, path, headers, body in captured:
        # hyper sends header names in lower case.
        auth = {k.lower(): v for k, v in headers.items()}["authorization"]
        declared = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        lower = {k.lower(): (k, v) for k, v in headers.items()}
        header_params = {lower[h][0]: lower[h][1] for h in declared}
        split = urlsplit(path)
        query = [tuple(unquote(x) for x in p.split("=", 1)) for p in split.query.split("&") if p]
        req = SdkRequest(method=method, schema="http", host=lower["host"][1], resource_path=split.path,
                         query_params=query, header_params=header_params, body=body or "")
        Signer(BasicCredentials(AK, SK, PROJECT)).sign(req)
        expected = req.header_params["Authorization"]
        if expected != auth:
            print("FAIL: %s %s\n  csms:     %s\n  official: %s" % (method, path, auth, expected))
            sys.exit(1)
        print("ok: %s %s" % (method, path))
    print("official signer: all %d csms signatures verify" % len(captured))


main()
