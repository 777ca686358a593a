#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# logosctl against a live logos.ko (run in the guest): every kernel-side
# subcommand, its output and its errors. TAP, then "tools: N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/build/tools/logosctl
passed=0 failed=0
check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"; passed=$((passed + 1))
	else
		echo "not ok - $name"; failed=$((failed + 1))
	fi
}
has() { grep -q -- "$1" <<<"$out"; }

# Before any module exists.
out=$("$ctl" list 2>&1); check "list with no modules says so" has "(no modules)"

coproc FIX { python3 "$top/tests/tools/fixture.py"; }
read -r ready <&"${FIX[0]}"
check "fixture created two modules" test "$ready" = READY

out=$("$ctl" list 2>&1)
check "list shows tool-a running" has "tool-a .*running"
check "list shows tool-b loaded" has "tool-b .*loaded"
out=$("$ctl" list --json 2>/dev/null)
check "list --json is JSON with both modules" \
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert {m["name"] for m in d["modules"]} >= {"tool-a","tool-b"}' "$out"

out=$("$ctl" status tool-a 2>&1)
check "status names state and trust" has "state:     running"
check "status says logosd does not manage it" has "^logosd: not managed by logosd"
check "status lists the memory pages" has "memory_pages *3 "
out=$("$ctl" status tool-a --json 2>/dev/null)
check "status --json has the resources" \
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kernel"]["resources"]["memory_pages"]["usage"]==3 and d["logosd"] is None' "$out"

out=$("$ctl" handles tool-b 2>&1)
check "handles shows tool-b's memory grant" has " memory "
check "handles shows tool-b's channel end" has " channel "

out=$("$ctl" quota tool-a events=7 2>&1)
check "quota sets a limit" has "events limit set to 7"
out=$("$ctl" status tool-a 2>&1)
check "the new limit shows in status" has "events *0 *7$"
out=$("$ctl" quota tool-a events=unlimited 2>&1)
out=$("$ctl" status tool-a 2>&1)
check "unlimited shows as such" has "events *0 *unlimited"

out=$("$ctl" grants 2>&1)
check "grants shows 3 pages from a to b" has " 1 *3$"

out=$("$ctl" stats 2>&1)
check "stats counts two modules" has "modules: 2 of at most"
jsonok() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if ($1) else 1)" "$out"; }
out=$("$ctl" stats --json 2>/dev/null)
check "stats --json" jsonok 'd["modules"]==2 and d["max_modules"]>=2'
out=$("$ctl" grants --json 2>/dev/null)
check "grants --json: 3 pages" jsonok 'd["grants"][0]["pages"]==3'
out=$("$ctl" handles tool-b --json 2>/dev/null)
check "handles --json" jsonok 'd["name"]=="tool-b" and {"memory","channel"} <= {h["type"] for h in d["handles"]}'
out=$("$ctl" top -n 2 -d 0.2 --json 2>/dev/null)
check "top --json: one object per round" \
	python3 -c 'import json,sys; l=[json.loads(x) for x in sys.argv[1].splitlines()]; assert len(l)==2 and l[1]["modules"]' "$out"
out=$("$ctl" version --json 2>/dev/null)
check "version --json: both ways agree" jsonok 'd["ioctl"]["abi"]==d["netlink"]["abi"]==d["logosctl_abi"] and d["logosd"] is None'

# Errors: a sentence and a distinct exit status.
out=$("$ctl" status no-such-module 2>&1); rc=$?
check "unknown module exits 4" test $rc = 4
check "unknown module says what to do" has "no module named no-such-module: see"
out=$("$ctl" quota tool-a bogus=1 2>&1); rc=$?
check "unknown resource is refused with the list" has "unknown resource 'bogus'"
out=$("$ctl" quota tool-a events=abc 2>&1); rc=$?
check "a bad limit is a usage error (exit 2)" test $rc = 2
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" list 2>&1); rc=$?
check "unprivileged list says run as root" has "permission denied: run as root"
check "unprivileged list exits 5" test $rc = 5
out=$("$ctl" frobnicate 2>&1); rc=$?
check "unknown subcommand exits 2 with usage" test $rc = 2
out=$("$ctl" handles 2>&1); rc=$?
check "a missing argument exits 2 with the usage line" bash -c "[ $rc = 2 ] && grep -q '^Usage: logosctl handles NAME|ID' <<<'$out'"

# monitor: a state change of tool-b arrives, with its sequence number.
"$ctl" monitor -n 1 >/tmp/monitor.out 2>&1 &
mon=$!
sleep 1
exec {FIX[1]}>&-		# the fixture exits: both modules terminate
wait "$FIX_PID" 2>/dev/null
wait $mon; rc=$?
out=$(cat /tmp/monitor.out)
check "monitor exits 0 after one event" test $rc = 0
check "monitor shows a crash of a terminated module" has "state .*-> terminated (crashed)"

out=$("$ctl" list 2>&1)
check "terminated modules are gone once unreferenced" has "(no modules)"

echo "tools: $passed passed, $failed failed"
[ $failed = 0 ]
