#!/usr/bin/env bash
# tests/fresh-debian.sh: the README's two commands on a minimal Debian 12.
#
# Builds a `debootstrap --variant=minbase` bookworm tree in the project's
# own folder (build-fresh/root), adds Node.js (this machine's node and npm,
# copied in: "a minimal Debian with only Node 20 added"), copies the source
# tree in without .git (as an unpacked tarball would be) and, inside the
# tree with chroot:
#
#   run      ./scripts/run           must print endpoint=... and project=...
#   answer   GET /v1/account as a guest through the web server: 401
#   stop     ./scripts/run stop      nothing of the stack left running
#   test     ./scripts/test          every stage must pass
#
# Each stage is reported on a line of its own; the exit status is 0 only if
# all passed.  Run by scripts/test when LATCHKEY_FRESH=1, or by hand, as
# root (debootstrap, chroot and mount need it).
#
# Environment:
#   LATCHKEY_FRESH_DIR     where the tree goes (default build-fresh in the
#                          repository; wiped first)
#   LATCHKEY_FRESH_MIRROR  the Debian mirror (default: the one this machine's
#                          apt uses, else http://deb.debian.org/debian)
#   LATCHKEY_FRESH_KEEP=1  keep the tree afterwards (it is deleted otherwise)
#   LATCHKEY_FRESH_PORT    ports of the stacks inside (default 8093: web and
#                          MariaDB 8093/3313 for run, 8094/3314 for test, the
#                          e2e sinks 2536/2537): the chroot shares this
#                          machine's network, so a stack or test run here
#                          keeps running undisturbed
# The inner scripts/test gets LATCHKEY_DISTCHECK as it is set here.
set -euo pipefail
LK_PROG=fresh-debian
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

FRESH=${LATCHKEY_FRESH_DIR:-$LK_ROOT/build-fresh}
FRESH=$(realpath -m "$FRESH")
ROOTFS=$FRESH/root
SRC_IN=/src                       # the tree's place inside the chroot
PORT0=${LATCHKEY_FRESH_PORT:-8093}
RUN_PORT=$PORT0 RUN_DB_PORT=$((PORT0 - 8093 + 3313))
TEST_PORT=$((PORT0 + 1)) TEST_DB_PORT=$((RUN_DB_PORT + 1))
SINK_PORT=$((PORT0 - 8093 + 2536))  # the e2e mail and SMS sinks (and one above)
LOGS=$FRESH/logs
RESULTS=()
FAILED=0

lk_is_root || lk_die "run as root: debootstrap, chroot and mount need it"

# mirror: the URI this machine's apt uses for bookworm, else deb.debian.org.
mirror() {
	local m=${LATCHKEY_FRESH_MIRROR:-}
	if [ -z "$m" ]; then
		m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
			sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' | head -n 1)
	fi
	if [ -z "$m" ]; then
		m=$(sed -n 's/^deb[[:space:]]\+\(http[^[:space:]]*\/debian\)\/*[[:space:]].*/\1/p' \
			/etc/apt/sources.list 2>/dev/null | head -n 1)
	fi
	printf '%s' "${m:-http://deb.debian.org/debian}"
}

# in_root CMD: run the bash command CMD inside the tree, in the source copy,
# with a clean environment (a new machine's root login would have no more),
# but for the variables that point programs at this site's CA bundle.
in_root() {
	local v tls=()
	for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE CURL_CA_BUNDLE; do
		[ -n "${!v:-}" ] && tls+=("$v=${!v}")
	done
	chroot "$ROOTFS" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LATCHKEY_DISTCHECK="${LATCHKEY_DISTCHECK:-1}" "${tls[@]}" \
		/bin/bash -c "cd $SRC_IN && $1"
}

# procs_in_root: PIDs of processes whose root directory is the tree.
procs_in_root() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[ "$r" = "$ROOTFS" ] && printf '%s\n' "${p#/proc/}"
	done
	return 0
}

mounted() { grep -q " $1 " /proc/mounts; }

unmount_all() {
	local m
	for m in "$ROOTFS/dev" "$ROOTFS/proc" "$ROOTFS/sys"; do
		if mounted "$m"; then
			umount -R "$m" 2>/dev/null || umount -R -l "$m" || true
		fi
	done
}

# teardown: whatever the stages left running inside is killed, the mounts
# go, and (unless kept) the tree; rm never crosses into a mount.
teardown() {
	local pids
	pids=$(procs_in_root)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null || true
		sleep 2
		pids=$(procs_in_root)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	fi
	unmount_all
	if [ "${LATCHKEY_FRESH_KEEP:-0}" != 1 ] && [ -d "$ROOTFS" ]; then
		if grep -q " $ROOTFS/" /proc/mounts; then
			lk_log "mounts remain under $ROOTFS; not deleting it"
		else
			rm -rf --one-file-system "$ROOTFS"
		fi
	fi
}

# step NAME FUNC: run FUNC in a subshell with errexit on, time it, record
# PASS or FAIL and the detail FUNC wrote with detail(); the status is left in
# STEP_RC.  Never call step from `if`, `&&` or `||`: bash would then ignore
# errexit inside FUNC.
step() {
	local name=$1 fn=$2 start=$SECONDS st
	CUR=$name
	printf '\n==== fresh: %s ====\n' "$name"
	set +e
	(set -e; "$fn")
	STEP_RC=$?
	set -e
	if [ "$STEP_RC" -eq 0 ]; then st=PASS; else st=FAIL; FAILED=1; fi
	RESULTS+=("$st|$name|$((SECONDS - start))|$(cat "$LOGS/$name.detail" 2>/dev/null || true)")
}

detail() { printf '%s' "$*" >"$LOGS/$CUR.detail"; }

report() {
	local r st name secs det
	printf '\n==== fresh-debian summary ====\n'
	for r in "${RESULTS[@]}"; do
		IFS='|' read -r st name secs det <<<"$r"
		printf '%-4s %-11s %5ss  %s\n' "$st" "$name" "$secs" "$det"
	done
	printf 'logs: %s\n' "$LOGS"
}

# ------------------------------------------------------------------ steps --

st_debootstrap() {
	local m
	m=$(mirror)
	detail "bookworm minbase from $m"
	debootstrap --variant=minbase bookworm "$ROOTFS" "$m" >"$LOGS/debootstrap.log" 2>&1 ||
		{ lk_tail "$LOGS/debootstrap.log"; return 1; }
	detail "$(cat "$LOGS/$CUR.detail"), $(chroot "$ROOTFS" dpkg-query -W -f='.\n' | wc -l) packages"
	# what a booted machine has: /proc, /sys, /dev (with /dev/shm, /dev/pts),
	# a resolver; and the place the source tree goes
	cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
	# and this network's trust: a machine of ours gets the site's extra CA
	# certificates (an egress proxy's) in /usr/local/share/ca-certificates,
	# which Debian's ca-certificates adds to the bundle once installed
	if [ -d /usr/local/share/ca-certificates ]; then
		mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
		cp -a /usr/local/share/ca-certificates/. "$ROOTFS/usr/local/share/ca-certificates/"
	fi
	mount -t proc proc "$ROOTFS/proc"
	mount -t sysfs sysfs "$ROOTFS/sys"
	mount --rbind /dev "$ROOTFS/dev"
	mount --make-rslave "$ROOTFS/dev"
	mkdir -p "$ROOTFS$SRC_IN"
}

# st_node: this machine's node binary and npm package, and nothing else.
st_node() {
	local node npmdir v
	node=$(realpath "$(command -v node)")
	npmdir=$(realpath "$(dirname "$(realpath "$(command -v npm)")")/..")
	[ -f "$npmdir/package.json" ] || { detail "npm not found at $npmdir"; return 1; }
	install -D -m 0755 "$node" "$ROOTFS/usr/local/bin/node"
	mkdir -p "$ROOTFS/usr/local/lib/node_modules"
	cp -a "$npmdir" "$ROOTFS/usr/local/lib/node_modules/npm"
	ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
	ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
	v=$(in_root 'node --version && npm --version' 2>/dev/null | tr '\n' ' ')
	detail "node/npm $v"
	case $v in v20.*) ;; *) detail "$(cat "$LOGS/$CUR.detail") (not Node 20)"; return 1 ;; esac
}

# st_copy: the tree as a user who unpacked it would have it: no .git, no
# build products (lk_tree_files), no node_modules.
st_copy() {
	mkdir -p "$ROOTFS$SRC_IN"
	(cd "$LK_ROOT" && lk_tree_files "${FRESH#"$LK_ROOT"/}" | tar --null -T - -cf -) |
		tar -C "$ROOTFS$SRC_IN" -xf -
	detail "$(find "$ROOTFS$SRC_IN" -type f | wc -l) files, no .git"
}

st_run() {
	local out
	set +e
	in_root "LATCHKEY_PORT=$RUN_PORT LATCHKEY_DB_PORT=$RUN_DB_PORT ./scripts/run" \
		>"$LOGS/run.out" 2>"$LOGS/run.log"
	local rc=$?
	set -e
	out=$(cat "$LOGS/run.out")
	printf '%s\n' "$out"
	if [ "$rc" -ne 0 ]; then
		lk_tail "$LOGS/run.log"
		detail "scripts/run exited $rc"
		return 1
	fi
	grep -q '^endpoint=http://' <<<"$out" && grep -q '^project=' <<<"$out" ||
		{ detail "no endpoint=/project= lines"; return 1; }
	detail "$(tr '\n' ' ' <<<"$out")"
}

st_answer() {
	local endpoint project got
	endpoint=$(sed -n 's/^endpoint=//p' "$LOGS/run.out")
	project=$(sed -n 's/^project=//p' "$LOGS/run.out")
	# curl inside the tree: scripts/run installed it there
	got=$(in_root "curl -s --noproxy '*' -o /dev/null -w '%{http_code}' \
		-H 'X-Appwrite-Project: $project' '$endpoint/account'") || true
	detail "GET /v1/account as a guest: $got"
	[ "$got" = 401 ]
}

st_stop() {
	in_root "LATCHKEY_PORT=$RUN_PORT LATCHKEY_DB_PORT=$RUN_DB_PORT ./scripts/run stop" \
		>"$LOGS/stop.log" 2>&1 || { lk_tail "$LOGS/stop.log"; detail "scripts/run stop failed"; return 1; }
	local left
	left=$(procs_in_root | tr '\n' ' ')
	detail "nothing left running"
	[ -z "$left" ] || { detail "still running: $left"; return 1; }
}

st_test() {
	set +e
	in_root "LATCHKEY_PORT=$TEST_PORT LATCHKEY_DB_PORT=$TEST_DB_PORT LATCHKEY_SINK_PORT=$SINK_PORT ./scripts/test" \
		>"$LOGS/test.log" 2>&1
	local rc=$?
	set -e
	sed -n '/^==== summary ====$/,$p' "$LOGS/test.log"
	detail "$(grep '^summary: ' "$LOGS/test.log" | tail -n 1) (exit $rc)"
	[ "$rc" -eq 0 ] || lk_tail "$LOGS/test.log"
	return "$rc"
}

# ------------------------------------------------------------------- main --

lk_ensure_packages debootstrap
mkdir -p "$FRESH"
LATCHKEY_FRESH_KEEP=0 teardown    # an earlier run's leftovers
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap 'teardown; report' EXIT
trap 'exit 130' INT TERM

for s in debootstrap node copy; do
	step "$s" "st_$s"
	[ "$STEP_RC" -eq 0 ] || exit 1
done
step run st_run
[ "$STEP_RC" -eq 0 ] && step answer st_answer
step stop st_stop
step test st_test
exit "$FAILED"
