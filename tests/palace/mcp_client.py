"""Drives `chorus mcp` with the official MCP Python SDK against two nodes of one cluster.

Usage: mcp_client.py CHORUS_BIN WRITER_DATA_DIR READER_DATA_DIR

The writer's server (a follower) files a drawer; the reader's server (another node) finds it
by search with min_index; bad arguments must come back as tool errors (isError) while the
server keeps answering. The writer's node holds the `admin` role key (the Rust side set it up):
a record published through MCP on the writer is read by address on the reader, listed, and
decrypted on the writer, while the reader, which holds no role key, is refused. Prints one JSON line with what it saw; exits 1 with a message on the
first failed check.
"""

import asyncio
import json
import sys
import uuid

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


def fail(msg):
    print(f"mcp_client: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def field(obj, *names):
    """Reads an attribute under its SDK 2.x (snake_case) or 1.x (camelCase) name."""
    for n in names:
        if hasattr(obj, n):
            return getattr(obj, n)
    fail(f"{type(obj).__name__} has none of {names}")


def text_of(result):
    return "".join(getattr(c, "text", "") for c in result.content)


async def call(session, name, args):
    result = await session.call_tool(name, args)
    return bool(field(result, "is_error", "isError")), text_of(result)


async def check_tools(session):
    listed = await session.list_tools()
    tools = listed.tools
    if not tools:
        fail("tools/list returned no tools")
    names = []
    for t in tools:
        schema = field(t, "input_schema", "inputSchema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            fail(f"{t.name}: inputSchema is not a plain object: {schema!r}")
        for k in ("anyOf", "oneOf", "allOf"):
            if k in schema:
                fail(f"{t.name}: inputSchema has top-level {k}")
        if not t.name.startswith("chorus_"):
            fail(f"{t.name}: not named chorus_<verb>")
        names.append(t.name)
    for want in ("chorus_status", "chorus_taxonomy", "chorus_search", "chorus_check_duplicate",
                 "chorus_add_drawer", "chorus_get_drawer", "chorus_list_drawers",
                 "chorus_update_drawer", "chorus_delete_drawer", "chorus_kg_add",
                 "chorus_kg_query", "chorus_kg_invalidate", "chorus_kg_timeline",
                 "chorus_create_tunnel", "chorus_diary_write", "chorus_diary_read",
                 "chorus_record_publish", "chorus_record_get", "chorus_record_list",
                 "chorus_record_decrypt"):
        if want not in names:
            fail(f"tool {want} missing from tools/list: {names}")
    return names


def server(chorus, data_dir):
    return StdioServerParameters(command=chorus, args=["--data-dir", data_dir, "mcp"])


async def main():
    chorus, writer_dir, reader_dir = sys.argv[1:4]
    word = "zq" + uuid.uuid4().hex[:12]
    content = f"The agents agreed to ship the palace on Friday; marker {word}."
    seen = {}

    async with stdio_client(server(chorus, writer_dir)) as (r, w):
        async with ClientSession(r, w) as session:
            init = await session.initialize()
            seen["protocol_version"] = field(init, "protocol_version", "protocolVersion")
            seen["tools"] = await check_tools(session)
            err, text = await call(session, "chorus_add_drawer",
                                   {"wing": "agent-a", "room": "decisions", "content": content})
            if err:
                fail(f"chorus_add_drawer failed: {text}")
            added = json.loads(text)
            seen["added"] = added
            address = f"ucxl://agent-a:admin@chorus:{word}/*^/decision.md"
            err, text = await call(session, "chorus_record_publish",
                                   {"address": address, "roles": ["admin"],
                                    "text": f"ship on Friday {word}", "task": word})
            if err:
                fail(f"chorus_record_publish failed: {text}")
            record = json.loads(text)
            seen["record"] = record
            err, text = await call(session, "chorus_record_list", {"task": word})
            if err or record["cid"] not in text:
                fail(f"chorus_record_list on the writer does not show {record['cid']}: {text}")
            err, text = await call(session, "chorus_record_decrypt", {"cid": record["cid"]})
            if err or json.loads(text).get("text") != f"ship on Friday {word}":
                fail(f"chorus_record_decrypt on the writer: {text}")

    async with stdio_client(server(chorus, reader_dir)) as (r, w):
        async with ClientSession(r, w) as session:
            await session.initialize()
            err, text = await call(session, "chorus_search",
                                   {"query": word, "min_index": added["index"], "limit": 5})
            if err:
                fail(f"chorus_search failed: {text}")
            hits = json.loads(text)["hits"]
            if not any(h["drawer_id"] == added["id"] for h in hits):
                fail(f"search for {word} on the reader did not find {added['id']}: {hits}")
            seen["found"] = hits[0]
            err, text = await call(session, "chorus_record_get", {"ref": address})
            if err or json.loads(text)["record"]["cid"] != record["cid"]:
                fail(f"chorus_record_get by address on the reader: {text}")
            err, text = await call(session, "chorus_record_get", {"ref": record["cid"]})
            if err or record["cid"] not in text:
                fail(f"chorus_record_get by cid on the reader: {text}")
            err, text = await call(session, "chorus_record_decrypt", {"cid": record["cid"]})
            if not err:
                fail(f"chorus_record_decrypt on the reader, which holds no role key, answered: {text}")
            seen["decrypt_refused"] = text
            err, text = await call(session, "chorus_get_drawer", {"id": added["id"]})
            if err or json.loads(text)["content"] != content:
                fail(f"chorus_get_drawer on the reader: {text}")

            bad = [
                ("chorus_search", {"query": word, "bogus": 1}, "bogus"),
                ("chorus_search", {"limit": 5}, "query"),
                ("chorus_search", {"query": word, "limit": "ten"}, "limit"),
                ("chorus_add_drawer", {"wing": "../etc", "room": "r", "content": "x"}, "wing"),
                ("chorus_kg_query", {"entity": "e", "direction": "sideways"}, "direction"),
                ("chorus_no_such_tool", {}, "unknown tool"),
            ]
            errors = []
            for name, args, must_mention in bad:
                err, text = await call(session, name, args)
                if not err:
                    fail(f"{name}({args}) was not a tool error: {text}")
                if must_mention not in text:
                    fail(f"{name}({args}): error does not mention {must_mention!r}: {text}")
                errors.append(text)
            seen["errors"] = errors
            # Still alive and answering after the bad calls.
            await session.send_ping()
            err, text = await call(session, "chorus_status", {})
            if err:
                fail(f"chorus_status after bad calls: {text}")
            seen["status_drawers"] = json.loads(text)["drawers"]

    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main())
