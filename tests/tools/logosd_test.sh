#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# logosctl against a live logosd and logos.ko (run in the guest, after
# logosctl_test.sh): keys and signatures, the lifecycle subcommands, the
# joined list and status, services, reload, update, monitor (kernel and
# logosd events), audit, and the errors an operator meets. TAP, then
# "logosctl-logosd: N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
T=/tmp/logosctl-test
ctl=$T/bin/logosctl
BIN=$T/bin/testmod
export LOGOS_CONTROL=$T/run/control LOGOS_CONFIG=$T/etc
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
has_all() { local p; for p; do has "$p" || return 1; done; }
rc_has() { [ "$rc" = "$1" ] && has "$2"; }
json() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if ($1) else 1)" "$out"; }
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt "$end" ]; do
		"$@" && return 0
		sleep 0.3
	done
	"$@"
}
mkmod() { # NAME < the rest of [Module] and more sections
	{ printf '[Module]\nExecutable = %s\nAutostart = no\nVersion = 1.0\n' "$BIN"; cat; } \
		>"$T/etc/modules.d/$1.module"
	"$ctl" sign "$T/keys/vendor.key" "$T/etc/modules.d/$1.module" >/dev/null
}

rm -rf "$T"
mkdir -p "$T/etc/modules.d" "$T/etc/trusted.d" "$T/keys" "$T/bin" "$T/updates"
cp "$top/build/tools/logosctl" "$ctl"
cp "$top/build/daemon/logosd" "$T/bin/logosd"
cp "$top/build/daemon-tests/testmod" "$BIN"

# ---- keys and signatures (logosd's own code, through logosctl) ----------
out=$("$ctl" keygen "$T/keys/vendor" --max-trust system --comment vendor 2>&1); rc=$?
check "keygen writes a key pair" bash -c "[ $rc = 0 ] && [ -s '$T/keys/vendor.key' ] && [ -s '$T/keys/vendor.pub' ]"
check "keygen: the secret key is mode 0600" bash -c "[ \$(stat -c %a '$T/keys/vendor.key') = 600 ]"
out=$("$ctl" keygen "$T/keys/vendor" 2>&1); rc=$?
check "keygen refuses to overwrite (exit 1)" test $rc = 1
out=$("$ctl" keygen "$T/keys/x" --max-trust godlike 2>&1); rc=$?
check "keygen: a bad --max-trust is a usage error (exit 2)" test $rc = 2
out=$("$ctl" keygen "$T/keys/other" --json 2>/dev/null)
check "keygen --json" json 'd["ok"] and d["pub"].endswith("other.pub")'
cp "$T/keys/vendor.pub" "$T/etc/trusted.d/"

cat >"$T/etc/logosd.conf" <<EOC
[Daemon]
DefaultAccess = allow
StateDirectory = $T/state
RuntimeDirectory = $T/run

[Audit]
Path = $T/audit/audit.log
Key = $T/etc/audit.key
EOC
mkmod basic <<EOM
[Restart]
StopTimeout = 3s
EOM
mkmod provider <<EOM
[Services]
Provides = kv 1.2
[Environment]
PROVIDE = kv:1.2
EOM
mkmod client <<EOM
[Environment]
LOOKUP = kv:1.0:1.65535
CALL_MS = 200
EOM
mkmod phoenix <<EOM
[Restart]
Policy = always
BackoffStart = 200ms
EOM
check "sign wrote the signatures" test -s "$T/etc/modules.d/basic.module.sig"
out=$("$ctl" verify "$T/etc/modules.d/basic.module" 2>&1); rc=$?
check "verify: a signed module is good" rc_has 0 ': good: '
cp "$T/etc/modules.d/basic.module" "$T/bad.module"
cp "$T/etc/modules.d/basic.module.sig" "$T/bad.module.sig"
echo "# changed after signing" >>"$T/bad.module"
out=$("$ctl" verify "$T/bad.module" 2>&1); rc=$?
check "verify: a changed manifest is refused (exit 1)" rc_has 1 'refused'
out=$("$ctl" verify "$T/bad.module" --json 2>/dev/null)
check "verify --json says ok false" json 'd["ok"] is False'

# ---- before logosd runs --------------------------------------------------
out=$("$ctl" start basic 2>&1); rc=$?
check "start without logosd: exit 3" test $rc = 3
check "start without logosd: says how to start it" has "logosd is not running (no socket at $LOGOS_CONTROL): start it with systemctl start logosd"
out=$("$ctl" list 2>&1); rc=$?
check "list without logosd: exit 0" test $rc = 0
check "list without logosd: says it shows the kernel's view only" has "showing the kernel's view only"
out=$("$ctl" list --json 2>/dev/null)
check "list --json without logosd: logosd false" json 'd["logosd"] is False and d["kernel"] is True'

"$T/bin/logosd" --config-dir "$T/etc" >"$T/logosd.log" 2>&1 &
logosd_pid=$!
check "logosd is up" wait_until 30 test -S "$LOGOS_CONTROL"

# ---- list, lifecycle -----------------------------------------------------
out=$("$ctl" list 2>&1)
check "list: every module, stopped" has_all '^basic  *stopped  *1.0 ' '^phoenix  *stopped'
out=$("$ctl" start basic 2>&1); rc=$?
check "start waits until running" rc_has 0 '^basic: running (version 1.0, pid [1-9]'
out=$("$ctl" start basic 2>&1); rc=$?
check "start of a running module: exit 0, says so" rc_has 0 'already running'
out=$("$ctl" list 2>&1)
sed 's/^/# list: /' <<<"$out"
check "list joins logosd's and the kernel's view" has "^basic  *running  *1.0 .* running  *user "
out=$("$ctl" list --json 2>/dev/null)
check "list --json: logosd and kernel members" \
	json 'd["logosd"] and [m for m in d["modules"] if m["name"]=="basic" and m["logosd"]["state"]=="running" and m["kernel"]["state"]=="running"]'
out=$("$ctl" status basic 2>&1)
check "status shows both views" has_all 'version:   1.0' '^kernel: module' 'memory_pages'
out=$("$ctl" status basic --json 2>/dev/null)
check "status --json" json 'd["logosd"]["trust"]=="user" and d["kernel"]["state"]=="running" and "handles" in d["kernel"]["resources"]'
out=$("$ctl" pause basic 2>&1); rc=$?
check "pause waits until paused" rc_has 0 '^basic: paused'
out=$("$ctl" status basic --json 2>/dev/null)
check "paused in the kernel too" json 'd["kernel"]["state"]=="paused"'
out=$("$ctl" pause basic 2>&1); rc=$?
check "pause of a paused module: exit 1 with logosd's reason" rc_has 1 '^logosctl: '
out=$("$ctl" resume basic 2>&1); rc=$?
check "resume waits until running" rc_has 0 '^basic: running'
pid=$("$ctl" status basic --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["logosd"]["pid"])')
out=$("$ctl" restart basic 2>&1); rc=$?
npid=$("$ctl" status basic --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["logosd"]["pid"])')
check "restart: running again as another process" bash -c "[ $rc = 0 ] && [ '$npid' != '$pid' ] && [ '$npid' != 0 ]"
out=$("$ctl" stop basic 2>&1); rc=$?
check "stop waits until stopped" rc_has 0 '^basic: stopped'
out=$("$ctl" stop basic --no-wait --json 2>/dev/null); rc=$?
check "stop --no-wait --json of a stopped module" bash -c "[ $rc = 0 ]" 
check "  ... prints its status as JSON" json 'd["state"]=="stopped"'

# ---- services ------------------------------------------------------------
"$ctl" start provider >/dev/null && "$ctl" start client >/dev/null
out=$("$ctl" services 2>&1)
check "services: the provider's service" has "^kv  *1.2  *provider  *yes"
check "services: the client's connection" wait_until 10 bash -c "'$ctl' services | grep -q '^client  *kv .* provider  *up'"
out=$("$ctl" services --json 2>/dev/null)
check "services --json" json 'd["services"][0]["service"]=="kv"'

# ---- monitor: a SIGKILLed module, its restart, kernel and logosd events ----
"$ctl" start phoenix >/dev/null
ppid=$("$ctl" status phoenix --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["logosd"]["pid"])')
"$ctl" monitor >"$T/monitor.out" 2>&1 &
mon=$!
"$ctl" monitor --json --daemon >"$T/monitor.json" 2>&1 &
monj=$!
sleep 1
kill -KILL "$ppid"
check "a killed module comes back (restarts 1)" wait_until 20 bash -c "'$ctl' status phoenix --json | grep -q '\"restarts\":1'"
"$ctl" list >"$T/list-after-kill.out" 2>&1
sleep 1
kill "$mon" "$monj"
wait "$mon" "$monj" 2>/dev/null
out=$(cat "$T/monitor.out")
check "monitor: the kernel's crash event" has "kernel .*phoenix.* -> terminated (crashed)"
check "monitor: logosd's crash record" has "logosd .*crash .*phoenix"
check "monitor: logosd's state changes back to running" has "logosd .*lifecycle .*module=phoenix.*to=running"
check "monitor: no events dropped" bash -c "! grep -q dropped '$T/monitor.out'"
check "monitor --json: one JSON object per line" \
	python3 -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1]) if x.strip()]; assert l and all(e["source"]=="logosd" for e in l)' "$T/monitor.json"

# ---- update ---------------------------------------------------------------
mkdir -p "$T/updates/v2"
sed 's/^Version = 1.0/Version = 2.0/' "$T/etc/modules.d/provider.module" >"$T/updates/v2/provider.module"
"$ctl" sign "$T/keys/vendor.key" "$T/updates/v2/provider.module" >/dev/null
out=$("$ctl" update provider "$T/updates/v2/provider.module" 2>&1); rc=$?
check "update: provider runs version 2.0" rc_has 0 'version 2.0'
out=$("$ctl" update provider "$T/bad.module" 2>&1); rc=$?
check "update with a changed manifest is refused" test $rc != 0
out=$("$ctl" update provider 2>&1); rc=$?
check "update without a manifest: usage (exit 2)" test $rc = 2

# ---- reload ------------------------------------------------------------------
printf '[Module\n' >"$T/etc/modules.d/broken.module"
out=$("$ctl" reload 2>&1); rc=$?
check "reload reports the broken manifest, exit 1" rc_has 1 'broken.module'
rm "$T/etc/modules.d/broken.module"
out=$("$ctl" reload 2>&1); rc=$?
check "reload of a good configuration: exit 0" test $rc = 0

# ---- a subscriber that does not keep up loses events, and is told --------
# One monitor stopped (SIGSTOP) while 3000 pipelined stops of a stopped
# module make logosd write as many audit records (admin; refused ones too):
# far more than its queue holds. The
# modules are stopped first so that nothing else writes records.
for m in provider client phoenix; do "$ctl" stop $m >/dev/null; done
"$ctl" monitor --daemon >"$T/slow.out" 2>&1 &
slow=$!
sleep 1
kill -STOP "$slow"
python3 - "$LOGOS_CONTROL" >"$T/flood.out" 2>&1 <<'EOP'
import json, socket, sys, threading
sub = socket.socket(socket.AF_UNIX); sub.connect(sys.argv[1]); sub.settimeout(60)
sub.sendall(b'{"cmd":"subscribe"}\n')
f = sub.makefile("rb")
first = json.loads(f.readline())["seq"]
got = {"events": 0, "dropped": 0}
last = 1 << 62	# known once the flood is over
def read():	# a subscriber that keeps reading
    for line in f:
        line = json.loads(line)
        if "dropped" in line:
            got["dropped"] += line["dropped"]
        elif line["event"]["seq"] <= last:
            got["events"] += 1
t = threading.Thread(target=read, daemon=True); t.start()
cli = socket.socket(socket.AF_UNIX); cli.connect(sys.argv[1])
g = cli.makefile("rb")
for _ in range(30):	# pipelined 100 at a time
    cli.sendall(b'{"cmd":"stop","module":"basic"}\n' * 100)
    for _ in range(100):
        assert json.loads(g.readline())["errno"] == 114	# EALREADY: not running
cli.sendall(b'{"cmd":"audit"}\n')
last = json.loads(g.readline())["records"]	# the reader counts up to here
t.join(timeout=10)	# until logosd's queue for it is drained
print("records", last - first, "events", got["events"], "dropped", got["dropped"])
EOP
kill -CONT "$slow"
sleep 3
kill "$slow"; wait "$slow" 2>/dev/null
out=$(cat "$T/flood.out")
echo "# flood: $out"
check "a subscriber that reads: events + dropped add up to the records written" \
	bash -c "read -r _ r _ e _ d <<<'$out'; [ \$((e + d)) = \$r ] && [ \$r -ge 3000 ]"
out=$(cat "$T/slow.out")
check "a stopped monitor is told how many logosd events it lost" has "^!! logosd: [0-9]* events dropped (this monitor did not keep up)"

# ---- errors ------------------------------------------------------------------
out=$("$ctl" start no-such 2>&1); rc=$?
check "start of an unknown module: exit 4" test $rc = 4
check "  ... no module named" has "no module named no-such: see 'logosctl list'"
out=$("$ctl" status no-such 2>&1); rc=$?
check "status of an unknown module: exit 4" test $rc = 4
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$ctl" stop basic 2>&1); rc=$?
check "outside group logos: exit 5, run as root or join group logos" \
	rc_has 5 'permission denied: run as root or join group logos'

# ---- audit ---------------------------------------------------------------------
out=$("$ctl" audit show -n 100000 2>&1); rc=$?
check "audit show: the chain is intact" rc_has 0 'chain intact'
check "audit show: the admin records of this test" has "admin .*command=start.*module=basic"
out=$("$ctl" audit show --module phoenix -n 5 --json 2>/dev/null)
check "audit show --module --json" json 'd["records"] and all(r.get("module")=="phoenix" for r in d["records"])'
out=$("$ctl" audit verify 2>&1); rc=$?
check "audit verify: intact" rc_has 0 'intact'
cp "$T/audit/audit.log" "$T/copy.log"
sed -i '5s/"type":"/"type":"x/' "$T/copy.log"
out=$("$ctl" audit verify "$T/copy.log" 2>&1); rc=$?
check "audit verify: an edited record is TAMPERED, exit 1" rc_has 1 'TAMPERED'

# ---- logosd goes away ----------------------------------------------------------
kill -TERM "$logosd_pid"
wait "$logosd_pid"
out=$("$ctl" stop basic 2>&1); rc=$?
check "after logosd stopped: exit 3" test $rc = 3
out=$("$ctl" status basic 2>&1); rc=$?
check "status without logosd: exit 4 (no module object either)" test $rc = 4

echo "# logosd's log: $(grep -cE ' (error|warning): ' "$T/logosd.log") warnings and errors"
grep -E ' (error|warning): ' "$T/logosd.log" | head -n 20 | sed 's/^/#   /'
echo "logosctl-logosd: $passed passed, $failed failed"
[ $failed = 0 ]
