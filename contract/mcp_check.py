#!/usr/bin/env python3
"""`anam mcp` checked with the official Python MCP client (the `mcp` package, pinned in
contract/mcp-requirements.txt), which nobody here wrote.

It starts the fake (`anam-mock --demo` on a free port) and `anam mcp` (the built binary) and
checks, through the client: every operation of openapi/anam.yaml has its tool (the operationIds
are read from the spec, so a new operation without a tool fails), with the right annotations and
a valid JSON Schema (Draft 2020-12) as input schema; a read, a create, an update and a delete;
an API error (404) and bad arguments (refused with the field and the range, nothing sent: the
fake's request count does not move); no secret where none should be (the demo webhook's header
value, share-link tokens outside the share-link tools, the API key, also on stderr);
--read-only, --tools and --allow-files; find, session_report, plan_account and apply_account;
and the streamable HTTP transport once, with and without its bearer token.

    python contract/mcp_check.py --anam target/debug/anam --mock target/debug/anam-mock

It prints one line per check and `N passed, M failed`, and exits 1 if any failed.
`cargo xtask contract --only mcp` installs the client and runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path

import jsonschema
import yaml
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import McpError

API_KEY = "mcp-check-key-5f1b2c9d"
WEBHOOK_SECRET = "demo-not-a-real-token"
BEARER = "mcp-check-bearer-token-0123456789"
TASKS = {"find", "session_report", "plan_account", "apply_account"}
READ_ONLY_TASKS = {"find", "session_report", "plan_account"}
SHARE_LINK_TOOLS = {"list_share_links", "get_share_link", "create_share_link"}
MISSING_ID = "00000000-0000-4000-8000-0000000000ff"
# How long one client call may take before the check gives up on it (a hang guard, not a
# measure: the calls take milliseconds).
GUARD_SECONDS = 60


def snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", operation_id).lower()


def reads_only(op: dict) -> bool:
    """Whether the spec says the operation only reads: a GET, or x-anam-reads-only (a search)."""
    destroys = op["method"] == "delete" or bool(op.get("x-anam-destructive"))
    return (op["method"] == "get" or bool(op.get("x-anam-reads-only"))) and not destroys


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, why: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name}: {why}")
        return ok


class Mock:
    """`anam-mock --demo` on a free port."""

    def __init__(self, binary: str) -> None:
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--demo", "--api-key", API_KEY],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        line = self.process.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if not found:
            self.process.kill()
            raise RuntimeError(f"anam-mock did not say where it listens: {line!r}")
        self.url = found.group(1)

    def requests(self) -> int:
        with urllib.request.urlopen(f"{self.url}/_mock/stats") as answer:
            return json.load(answer)["requests"]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def environment(mock: Mock) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "ANAM_API_URL": mock.url, "ANAM_API_KEY": API_KEY}


@asynccontextmanager
async def stdio_session(anam: str, mock: Mock, args: list[str], errlog):
    params = StdioServerParameters(command=anam, args=["mcp", *args], env=environment(mock))
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as session:
            await asyncio.wait_for(session.initialize(), GUARD_SECONDS)
            yield session


class Calls:
    """A session's calls, each result kept (as the JSON the client read) for the secrets sweep."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.seen: list[tuple[str, str]] = []

    async def call(self, name: str, arguments: dict | None = None):
        result = await asyncio.wait_for(self.session.call_tool(name, arguments or {}), GUARD_SECONDS)
        self.seen.append((name, result.model_dump_json()))
        return result

    async def ok(self, name: str, arguments: dict | None = None) -> dict:
        result = await self.call(name, arguments)
        if result.isError:
            raise AssertionError(f"{name} failed: {text(result)}")
        return result.structuredContent


def text(result) -> str:
    return " ".join(c.text for c in result.content if getattr(c, "text", None) is not None)


def items(answer: dict) -> list:
    if "data" in answer:
        return answer["data"]
    return answer.get("result") or []


def spec_operations(spec_path: Path) -> dict[str, dict]:
    spec = yaml.safe_load(spec_path.read_text())
    operations = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                operations[op["operationId"]] = {"method": method, "path": path, **op}
    return operations


async def tool_list(report: Report, calls: Calls, operations: dict[str, dict]) -> dict:
    tools = {t.name: t for t in (await calls.session.list_tools()).tools}
    wanted = {snake(op_id): op_id for op_id in operations}
    missing = sorted(set(wanted) - set(tools))
    report.check("every operation of the spec has its tool", not missing, f"no tool for {missing}")
    extra = sorted(set(tools) - set(wanted) - TASKS)
    report.check("every tool is an operation's or a task's", not extra and TASKS <= set(tools), f"{extra}")
    wrong = []
    for name, op_id in wanted.items():
        tool = tools.get(name)
        if tool is None:
            continue
        op = operations[op_id]
        destroys = op["method"] == "delete" or bool(op.get("x-anam-destructive"))
        expected = {
            "readOnlyHint": reads_only(op),
            "destructiveHint": destroys,
            "idempotentHint": reads_only(op) or op["method"] in ("put", "delete"),
            "openWorldHint": False,
        }
        got = tool.annotations.model_dump(by_alias=True) if tool.annotations else {}
        for key, value in expected.items():
            if got.get(key) is not value:
                wrong.append(f"{name}.{key}={got.get(key)} (want {value})")
        if not (tool.description or "").startswith(op["summary"].rstrip(".")):
            wrong.append(f"{name}: description does not start with the spec's summary")
    report.check("annotations and descriptions follow the spec", not wrong, "; ".join(wrong[:8]))
    invalid = []
    for tool in tools.values():
        try:
            jsonschema.Draft202012Validator.check_schema(tool.inputSchema)
            if tool.inputSchema.get("type") != "object":
                invalid.append(f"{tool.name}: not an object schema")
        except jsonschema.SchemaError as error:
            invalid.append(f"{tool.name}: {error.message}")
    report.check(f"every inputSchema is valid JSON Schema 2020-12 ({len(tools)} tools)", not invalid, "; ".join(invalid[:5]))
    return tools


async def crud(report: Report, calls: Calls) -> None:
    listed = await calls.ok("list_personas", {"perPage": 10})
    report.check("read: list_personas", any(p["name"] == "Front desk" for p in items(listed)), json.dumps(listed)[:200])
    found = await calls.ok("find", {"name": "cara", "kind": "avatar"})
    cara = found["matches"][0]["id"] if found["matches"] else None
    created = await calls.ok("create_persona", {
        "name": "MCP check", "systemPrompt": "Be brief.", "avatarId": "cara",
        "voiceDetectionOptions": {"endOfSpeechSensitivity": 0.6},
    })
    report.check("create: create_persona, its avatar given by name",
                 created.get("name") == "MCP check" and created.get("avatar", {}).get("id") == cara, json.dumps(created)[:300])
    updated = await calls.ok("update_persona", {"id": "MCP check", "description": "Changed by MCP"})
    again = await calls.ok("get_persona", {"id": "mcp CHECK"})
    report.check("update: update_persona by name, read back by name in another case",
                 updated.get("description") == "Changed by MCP" and again.get("description") == "Changed by MCP", json.dumps(again)[:200])
    await calls.ok("delete_persona", {"id": created["id"]})
    gone = await calls.call("get_persona", {"id": created["id"]})
    report.check("delete: delete_persona, then get_persona is a 404 error result",
                 gone.isError and text(gone).startswith("404 Not Found"), text(gone))
    missing = await calls.call("get_tool", {"id": MISSING_ID})
    report.check("an API error is isError with the SDK's one-line message",
                 missing.isError and text(missing).startswith("404 Not Found:") and "\n" not in text(missing), text(missing))


async def bad_arguments(report: Report, calls: Calls, mock: Mock) -> None:
    before = mock.requests()
    cases = [
        ("list_personas", {"perPage": 500}, "perPage is 500, but must be between 1 and 100"),
        ("create_persona", {"name": "x", "voiceDetectionOptions": {"endOfSpeechSensitivity": 1.5}},
         "voiceDetectionOptions.endOfSpeechSensitivity is 1.5, but must be between 0 and 1"),
        ("create_persona", {"name": "x", "avatarModel": "cara-9"}, "avatarModel is \"cara-9\", but must be one of cara-2"),
        ("create_persona", {"nmae": "x"}, "nmae is given, but must be one of the inputs of createPersona"),
        ("list_sessions", {"perPage": "many"}, "perPage is \"many\", but must be"),
        ("create_session_token", {}, "personaConfig is missing"),
    ]
    for name, arguments, expected in cases:
        result = await calls.call(name, arguments)
        report.check(f"bad argument refused: {name} {json.dumps(arguments)}",
                     result.isError and expected in text(result), text(result))
    after = mock.requests()
    report.check("bad arguments: nothing was sent to the API", after == before, f"{after - before} request(s) sent")


async def read_everything(calls: Calls) -> dict[str, str]:
    """Every read tool, with ids from the demo account; answers the share links' tokens."""
    ids = {}
    ids["persona"] = items(await calls.ok("list_personas"))[0]["id"]
    ids["avatar"] = items(await calls.ok("list_avatars"))[0]["id"]
    ids["voice"] = items(await calls.ok("list_voices"))[0]["id"]
    ids["llm"] = items(await calls.ok("list_llms", {"includeDefaults": True}))[0]["id"]
    ids["tool"] = next(t["id"] for t in items(await calls.ok("list_tools")) if t["name"] == "crm_lookup")
    ids["group"] = items(await calls.ok("list_knowledge_groups"))[0]["id"]
    ids["document"] = items(await calls.ok("list_knowledge_group_documents", {"id": ids["group"]}))[0]["id"]
    sessions = items(await calls.ok("list_sessions"))
    ids["session"] = next(s["id"] for s in sessions if s.get("endTime"))
    links = items(await calls.ok("list_share_links"))
    ids["share_link"] = links[0]["id"]
    ids["invite"] = items(await calls.ok("list_meeting_invites"))[0]["id"]
    by_tool = {
        "get_persona": "persona", "get_avatar": "avatar", "get_voice": "voice", "get_llm": "llm", "get_tool": "tool",
        "get_knowledge_group": "group", "list_knowledge_group_documents": "group",
        "get_knowledge_document": "document", "get_knowledge_document_download": "document",
        "get_session": "session", "get_session_analytics": "session", "get_session_recording": "session",
        "get_session_transcript": "session", "get_share_link": "share_link", "get_meeting_invite": "invite",
    }
    tools = (await calls.session.list_tools()).tools
    for tool in tools:
        if not (tool.annotations and tool.annotations.readOnlyHint) or tool.name in TASKS:
            continue
        required = set(tool.inputSchema.get("required", []))
        if not required:
            await calls.ok(tool.name)
        elif required == {"id"} and tool.name in by_tool:
            await calls.ok(tool.name, {"id": ids[by_tool[tool.name]]})
        elif tool.name == "search_knowledge_group":
            await calls.ok(tool.name, {"id": ids["group"], "query": "opening hours"})
        else:
            raise AssertionError(f"the sweep does not know how to call the read tool {tool.name} (required: {sorted(required)}); add it")
    return {link["token"] for link in links}


def secrets_sweep(report: Report, calls: Calls, share_tokens: set[str], stderr: str) -> None:
    leaks = []
    for name, answer in calls.seen:
        if API_KEY in answer:
            leaks.append(f"{name}: the API key")
        if WEBHOOK_SECRET in answer:
            leaks.append(f"{name}: the webhook's header value")
        if name not in SHARE_LINK_TOOLS and any(token in answer for token in share_tokens):
            leaks.append(f"{name}: a share link's token")
    report.check(f"no secret where none should be ({len(calls.seen)} answers)", not leaks, "; ".join(leaks[:6]))
    report.check("the share links' tools hand out their tokens", bool(share_tokens) and all("[redacted]" != t for t in share_tokens), f"{share_tokens}")
    report.check("stderr holds no API key and no secret", API_KEY not in stderr and WEBHOOK_SECRET not in stderr, stderr[:300])


async def tasks(report: Report, calls: Calls) -> None:
    front = await calls.ok("find", {"name": "front DESK"})
    report.check("find: a persona in any case", [m["name"] for m in front["matches"]] == ["Front desk"], json.dumps(front))
    near = await calls.ok("find", {"name": "Frnt desk", "kind": "persona"})
    report.check("find: near misses when nothing has the name",
                 not near["matches"] and "Front desk" in [m["name"] for m in near["nearMisses"]], json.dumps(near))
    persona = await calls.ok("get_persona", {"id": "Front desk"})
    link = persona.get("primaryShareLink") or {}
    report.check("get_persona masks its share link's token", link.get("token") == "[redacted]", json.dumps(link))
    sessions = await calls.ok("session_report", {"since": "7d", "limit": 3})
    reports = sessions.get("reports", [])
    report.check("session_report: the newest sessions, each one compact object with its transcript",
                 len(reports) == 3 and sessions["sessions"] >= 3 and all("id" in r and "persona" in r and "transcript" in r for r in reports),
                 json.dumps(sessions)[:400])
    ended = [r for r in reports if r.get("ended") != "running"]
    report.check("session_report: analytics of ended sessions", bool(ended) and all("analytics" in r for r in ended), json.dumps(ended)[:300])
    night = await calls.ok("session_report", {"persona": "night shift", "limit": 50})
    report.check("session_report: one persona's sessions, the persona given by name",
                 bool(night["reports"]) and all(r["persona"] == "Night shift" for r in night["reports"])
                 and night["sessions"] < sessions["sessions"], json.dumps(night)[:300])
    bad = await calls.call("session_report", {"limit": 500})
    report.check("session_report refuses a limit out of range", bad.isError and "limit is 500, but must be a whole number between 1 and 50" in text(bad), text(bad))


async def account_file(report: Report, calls: Calls) -> None:
    file = "personas:\n  - name: Planned by MCP\n    systemPrompt: Hello.\n"
    plan = await calls.ok("plan_account", {"file": file})
    digest = plan.get("digest", "")
    report.check("plan_account: one create, and a digest", plan.get("changes") == 1 and digest.startswith("sha256:")
                 and plan["actions"][0]["action"] == "create", json.dumps(plan)[:300])
    wrong = await calls.call("apply_account", {"file": file, "digest": "sha256:" + "0" * 64})
    nothing = await calls.ok("find", {"name": "Planned by MCP", "kind": "persona"})
    report.check("apply_account refuses another digest, and changes nothing",
                 wrong.isError and "not the plan of this file now" in text(wrong) and not nothing["matches"], text(wrong))
    applied = await calls.ok("apply_account", {"file": file, "digest": digest})
    made = await calls.ok("find", {"name": "Planned by MCP", "kind": "persona"})
    report.check("apply_account carries out the reviewed plan", applied.get("applied") == 1 and len(made["matches"]) == 1, json.dumps(applied)[:300])
    replan = await calls.ok("plan_account", {"file": file})
    report.check("plan_account after apply: no changes", replan.get("changes") == 0, json.dumps(replan)[:300])
    changed = file.replace("Hello.", "Hello again.")
    reviewed = await calls.ok("plan_account", {"file": changed})
    await calls.ok("update_persona", {"id": "Planned by MCP", "systemPrompt": "Changed elsewhere."})
    stale = await calls.call("apply_account", {"file": changed, "digest": reviewed["digest"]})
    report.check("apply_account refuses a plan when the account changed since", stale.isError and "changed since" in text(stale), text(stale))
    variable = await calls.call("plan_account", {"file": "personas:\n  - name: V\n    systemPrompt: '${ANAM_API_KEY}'\n"})
    report.check("plan_account does not read variables (the API key stays out)",
                 variable.isError and "does not read from its environment" in text(variable), text(variable))


async def switches(report: Report, anam: str, mock: Mock, operations: dict[str, dict], errlog) -> None:
    async with stdio_session(anam, mock, ["--read-only"], errlog) as session:
        names = {t.name for t in (await session.list_tools()).tools}
        readers = {snake(i) for i, op in operations.items() if reads_only(op)}
        report.check("--read-only: the readers, find, session_report and plan_account only",
                     names == readers | READ_ONLY_TASKS, f"extra {sorted(names - readers - READ_ONLY_TASKS)}, missing {sorted(readers | READ_ONLY_TASKS - names)}")
        try:
            await session.call_tool("create_persona", {"name": "x"})
            report.check("--read-only: a tool that changes is refused", False, "it was called")
        except McpError as error:
            report.check("--read-only: a tool that changes is refused", "--read-only" in error.error.message, error.error.message)
    async with stdio_session(anam, mock, ["--tools", "personas,knowledge"], errlog) as session:
        names = {t.name for t in (await session.list_tools()).tools}
        wanted = {snake(i) for i, op in operations.items() if op["path"].startswith(("/v1/personas", "/v1/knowledge"))}
        report.check("--tools personas,knowledge: their operations and the task tools",
                     names == wanted | TASKS, f"extra {sorted(names - wanted - TASKS)}, missing {sorted(wanted | TASKS - names)}")


async def files(report: Report, anam: str, mock: Mock, calls_without: Calls, errlog) -> None:
    refused = await calls_without.call("upload_knowledge_group_document", {"id": "Handbook", "file": "notes.md"})
    report.check("without --allow-files an upload is refused", refused.isError and "reads no files" in text(refused), text(refused))
    with tempfile.TemporaryDirectory() as base:
        allowed, outside = Path(base, "allowed"), Path(base, "outside")
        allowed.mkdir()
        outside.mkdir()
        Path(allowed, "notes.md").write_text("# Notes\nThe pool opens at seven.\n")
        Path(outside, "secret.md").write_text("not for the assistant\n")
        Path(allowed, "link.md").symlink_to(Path(outside, "secret.md"))
        async with stdio_session(anam, mock, ["--allow-files", str(allowed)], errlog) as session:
            calls = Calls(session)
            uploaded = await calls.ok("upload_knowledge_group_document", {"id": "Handbook", "file": "notes.md"})
            report.check("--allow-files: a file inside is uploaded", "notes.md" in json.dumps(uploaded), json.dumps(uploaded)[:200])
            before = mock.requests()
            for path in ["../outside/secret.md", str(Path(outside, "secret.md")), "link.md"]:
                result = await calls.call("upload_knowledge_group_document", {"id": MISSING_ID, "file": path})
                report.check(f"--allow-files: {path} (outside) is refused",
                             result.isError and "must be a file inside" in text(result), text(result))
            report.check("--allow-files: nothing was sent for the refused paths", mock.requests() == before, "requests were sent")


async def streamable_http(report: Report, anam: str, mock: Mock) -> None:
    refused = subprocess.run([anam, "mcp", "--http", "0.0.0.0:0"], env=environment(mock), capture_output=True, text=True, timeout=GUARD_SECONDS)
    report.check("--http refuses an address that is not loopback", refused.returncode == 1 and "not a loopback address" in refused.stderr, refused.stderr)
    no_token = subprocess.run([anam, "mcp", "--http", "0.0.0.0:0", "--allow-remote"], env=environment(mock), capture_output=True, text=True, timeout=GUARD_SECONDS)
    report.check("--allow-remote needs a bearer token", no_token.returncode == 1 and "needs a bearer token" in no_token.stderr, no_token.stderr)
    env = dict(environment(mock), ANAM_MCP_BEARER_TOKEN=BEARER)
    server = subprocess.Popen([anam, "mcp", "--http", "127.0.0.1:0"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        found = re.search(r"at (http://\S+/mcp)", line)
        if not report.check("--http says where it listens", bool(found), line):
            return
        url = found.group(1)
        initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "check", "version": "1"}}}).encode()
        for label, headers in [("without a token", {}), ("with a wrong token", {"Authorization": "Bearer " + "x" * len(BEARER)})]:
            request = urllib.request.Request(url, data=initialize, method="POST", headers={
                "Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers})
            try:
                with urllib.request.urlopen(request) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            report.check(f"streamable HTTP {label}: 401", status == 401, f"status {status}")
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {BEARER}"})
        async with client, streamable_http_client(url, http_client=client) as (read, write, _):
            async with ClientSession(read, write) as session:
                await asyncio.wait_for(session.initialize(), GUARD_SECONDS)
                tools = (await session.list_tools()).tools
                listed = await session.call_tool("list_personas", {})
                report.check("streamable HTTP with the token: the official client lists tools and calls one",
                             len(tools) > 60 and not listed.isError and "Front desk" in text(listed), text(listed)[:200])
    finally:
        server.kill()
        server.wait()
        stderr = server.stderr.read() + (line if "line" in locals() else "")
        report.check("streamable HTTP: stderr holds no API key and no token", API_KEY not in stderr and BEARER not in stderr, stderr[:300])


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--anam", required=True, help="the built anam binary")
    parser.add_argument("--mock", required=True, help="the built anam-mock binary (with its cli feature)")
    parser.add_argument("--spec", default=str(Path(__file__).resolve().parent.parent / "openapi" / "anam.yaml"))
    args = parser.parse_args()
    operations = spec_operations(Path(args.spec))
    report = Report()
    mock = Mock(args.mock)
    try:
        with tempfile.TemporaryFile("w+") as errlog:
            steps = []
            async with stdio_session(args.anam, mock, [], errlog) as session:
                calls = Calls(session)
                for name, step in [
                    ("tools", lambda: tool_list(report, calls, operations)),
                    ("crud", lambda: crud(report, calls)),
                    ("bad arguments", lambda: bad_arguments(report, calls, mock)),
                    ("tasks", lambda: tasks(report, calls)),
                    ("account file", lambda: account_file(report, calls)),
                    ("files", lambda: files(report, args.anam, mock, calls, errlog)),
                ]:
                    steps.append(name)
                    try:
                        await step()
                    except Exception as error:
                        report.check(f"{name} ran to the end", False, f"{error!r}\n{traceback.format_exc()}")
                try:
                    share_tokens = await read_everything(calls)
                except Exception as error:
                    share_tokens = set()
                    report.check("every read tool answers", False, repr(error))
                else:
                    report.check("every read tool answers", True)
                errlog.seek(0)
                secrets_sweep(report, calls, share_tokens, errlog.read())
            for name, step in [
                ("switches", lambda: switches(report, args.anam, mock, operations, errlog)),
                ("streamable HTTP", lambda: streamable_http(report, args.anam, mock)),
            ]:
                try:
                    await step()
                except Exception as error:
                    report.check(f"{name} ran to the end", False, f"{error!r}\n{traceback.format_exc()}")
    finally:
        mock.stop()
    print(f"\n{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
