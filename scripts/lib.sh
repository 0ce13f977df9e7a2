# shellcheck shell=bash
# scripts/lib.sh: shell functions shared by scripts/run and scripts/test.
#
# Sourced (never executed) by bash scripts running with `set -euo pipefail`.
# Everything here is about the *development* stack: a private MariaDB, the
# latchkey master and a web server, all living in one run directory
# (LATCHKEY_RUNDIR, default /tmp/latchkey-run) and all started by us, never
# as system services.  Functions are prefixed lk_; globals are LK_*.
#
# Run directory layout (every path below is relative to $LK_RUNDIR):
#   .latchkey-rundir   marker: this directory was made by scripts/run
#   secrets            generated passwords and keys, mode 0600 (kept)
#   my.cnf             the private MariaDB's defaults file (no secrets)
#   admin.cnf          client defaults file for the MariaDB root user, 0600
#   db/                MariaDB datadir (db/data), socket, pid file, error log
#   latchkey.conf      the daemon's key=value configuration, mode 0600 (0640
#                      for the daemon user's group when run as root)
#   latchkey.sock      the FastCGI socket (mode 0666 so nginx's www-data can
#                      connect)
#   lighttpd.conf / nginx.conf   generated from the *.conf.example files
#   nginx/             nginx's prefix: temp directories
#   www/               empty document root for lighttpd
#   errors/            lighttpd's error documents (Appwrite-style JSON)
#   san/               sanitizer reports (asan.PID, ubsan.PID), writable by
#                      the daemon's unprivileged user
#   log/               logs of every process we start
#   pids/              the scripts' pid files (mariadb.pid, latchkey.pid,
#                      lighttpd.pid, nginx.pid), written from $! at start;
#                      the servers' own pid files are elsewhere (db/,
#                      lighttpd.pid, nginx.pid)
#   env                shell-sourceable: LATCHKEY_ENDPOINT, LATCHKEY_PROJECT,
#                      LATCHKEY_MYSQL_DEFAULTS, LATCHKEY_RUNDIR

# ---------------------------------------------------------------- settings --

LK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # the repository
LK_PROG=${LK_PROG:-$(basename "$0")}                        # log prefix
LK_RUNDIR=${LATCHKEY_RUNDIR:-/tmp/latchkey-run}
LK_PORT=${LATCHKEY_PORT:-8080}              # web server port on 127.0.0.1
LK_BIND=127.0.0.1                           # web server address
LK_DB_PORT=${LATCHKEY_DB_PORT:-3307}        # private MariaDB on 127.0.0.1
LK_WEB=${LATCHKEY_WEB:-lighttpd}            # lighttpd or nginx
LK_PROJECT=demo

# Debian packages the build and the stack need (MACHINE-NOTES.md), plus what
# a minimal Debian (debootstrap --variant=minbase) lacks and the scripts or
# tests use: the compiler, make, curl, procps (pgrep) and ca-certificates;
# and john-data, whose password.lst is the daemon's default
# password_dictionary.  tests/fresh-debian.sh checks that this list is
# enough.
# shellcheck disable=SC2034 # used by scripts/run and scripts/test
LK_PACKAGES=(libfcgi-dev libfcgi-bin spawn-fcgi lighttpd nginx mariadb-server
	libmariadb-dev libargon2-dev libjsmn-dev check autoconf automake libtool
	pkg-config libcurl4-openssl-dev libssl-dev wrk gcc make curl john-data
	valgrind procps ca-certificates libzxcvbn-dev python3-zxcvbn oathtool)

# LATCHKEY_* variables that only the scripts use.  They are kept out of the
# daemon's environment, where LATCHKEY_<KEY> overrides configuration keys.
LK_SCRIPT_VARS=" PORT RUNDIR BUILD_DIR BIN WEB DB_PORT ENDPOINT PROJECT 
	MYSQL_DEFAULTS MYSQL_DB DISTCHECK CONFIG CONFIGURE_FLAGS USER E2E_TIMEOUT 
	SINK_PORT FRESH FRESH_DIR FRESH_MIRROR FRESH_KEEP FRESH_PORT LIFETIMES "

lk_paths() {   # (re)derive every path from LK_RUNDIR
	LK_RUNDIR=$(realpath -m "$LK_RUNDIR")
	LK_LOG=$LK_RUNDIR/log
	LK_PIDS=$LK_RUNDIR/pids
	LK_SAN=$LK_RUNDIR/san
	LK_DBDIR=$LK_RUNDIR/db
	LK_MYCNF=$LK_RUNDIR/my.cnf
	LK_ADMINCNF=$LK_RUNDIR/admin.cnf
	LK_SECRETS=$LK_RUNDIR/secrets
	LK_CONF=$LK_RUNDIR/latchkey.conf
	LK_SOCK=$LK_RUNDIR/latchkey.sock
	LK_ENVFILE=$LK_RUNDIR/env
	LK_DB_SOCK=$LK_DBDIR/mysqld.sock
	LK_ENDPOINT=http://$LK_BIND:$LK_PORT/v1
}
lk_paths

# ------------------------------------------------------------------ basics --

lk_log() { printf '%s: %s\n' "$LK_PROG" "$*" >&2; }
lk_die() { printf '%s: error: %s\n' "$LK_PROG" "$*" >&2; exit 1; }
lk_is_root() { [ "$(id -u)" -eq 0 ]; }

# lk_as_root CMD...: run CMD as root, through sudo when we are not root.
lk_as_root() {
	if lk_is_root; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		lk_die "need root (or sudo) to run: $*"
	fi
}

# lk_tail FILE...: show the end of log files after a failure.
lk_tail() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		printf -- '--- last lines of %s ---\n' "$f" >&2
		tail -n 30 "$f" >&2
	done
}

# lk_random_hex: 64 hex characters (32 bytes) from /dev/urandom.
lk_random_hex() { od -An -v -tx1 -N32 /dev/urandom | tr -d ' \n'; }

# ---------------------------------------------------------------- packages --

# lk_ensure_packages PKG...: apt-get install whichever of PKG are missing;
# `apt-get update` runs at most once per script, and only when needed.
lk_ensure_packages() {
	local p missing=()
	command -v dpkg-query >/dev/null 2>&1 ||
		lk_die "dpkg-query not found: these scripts expect Debian 12"
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	lk_log "installing Debian packages: ${missing[*]}"
	# apt's output goes to stderr: scripts/run's stdout is for its result.
	if [ -z "${LK_APT_UPDATED:-}" ]; then
		lk_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
		LK_APT_UPDATED=1
	fi
	lk_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# lk_ensure_node: node and npm (any origin; Debian's nodejs/npm if absent).
lk_ensure_node() {
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		lk_ensure_packages nodejs npm
	fi
}

# ------------------------------------------------------------------- build --

# lk_build_dir: absolute build directory: LATCHKEY_BUILD_DIR (relative paths
# are taken from the repository root), default the source tree itself.
lk_build_dir() {
	local d=${LATCHKEY_BUILD_DIR:-.}
	case $d in /*) ;; *) d=$LK_ROOT/$d ;; esac
	realpath -m "$d"
}

# lk_sync_tree DIR: make DIR a copy of the source tree, without what a
# build or a run leaves in it, for a separate in-tree build there.
# Why a copy and not `../configure` (VPATH): automake refuses a VPATH build
# while the source tree is itself configured, and scripts/run builds
# in-tree.  The tree is walked with find, not listed by git: a minimal
# Debian has no git, and an unpacked release tarball is no checkout.  What
# is left out mirrors .gitignore: objects, libraries, programs, logs and the
# configured state (Makefile, config.status, autoconf.h), so the copy
# configures and builds afresh.  tar keeps modification times, so unchanged
# files do not rebuild.
lk_sync_tree() {
	local dir=$1 rel
	if [ -e "$dir" ] && [ ! -e "$dir/.latchkey-tree" ]; then
		[ -z "$(ls -A "$dir")" ] ||
			lk_die "$dir exists but was not made by these scripts; remove it"
	fi
	mkdir -p "$dir"
	rel=${dir#"$LK_ROOT"/}
	(cd "$LK_ROOT" && lk_tree_files "$rel" | tar --null -T - -cf -) | tar -C "$dir" -xf -
	touch "$dir/.latchkey-tree"
}

# lk_tree_files SKIP: the source files under the current directory, NUL-
# separated, without build products and without the subdirectory SKIP.
lk_tree_files() {
	local skip=$1 f
	find . \( -name .git -o -name node_modules -o -name autom4te.cache \
		-o -name .deps -o -path "./$skip" -o \( -path './build-*' ! -path ./build-aux ! -path './build-aux/*' \) \
		-o -path ./run \
		-o -path './latchkey-*' \) -prune -o \( -type f -o -type l \) -print0 |
		while IFS= read -r -d '' f; do
			f=${f#./}
			case $f in
			*.o | *.a | *.log | *.trs | *~ | .dirstamp | */.dirstamp) continue ;;
			Makefile | config.status | autoconf.h | stamp-h1 | .latchkey-tree) continue ;;
			src/latchkey | src/latchkey-delivery) continue ;;
			tests/test_*.c | tests/fuzz/fuzz_*.c) ;;
			tests/test_* | tests/fuzz/replay_* | tests/fuzz/fuzz_*) continue ;;
			esac
			printf '%s\0' "$f"
		done
}

# lk_configured_flags DIR: the arguments DIR's configure was run with,
# space-separated and unquoted ("" when it is not configured).
lk_configured_flags() {
	[ -x "$1/config.status" ] || return 0
	eval "set -- $("$1/config.status" --config)"
	printf '%s' "$*"
}

# lk_build DIR MODE [FLAG...]: build latchkey in DIR (the source tree or a
# copy of it, see lk_sync_tree).  MODE "keep": configure with FLAGs only if
# DIR is not configured yet; MODE "exact": reconfigure unless DIR was
# configured with exactly FLAGs.  autoreconf runs when configure or
# Makefile.in is missing or older than its input; make runs only when
# src/latchkey is missing or older than a source file.
lk_build() {
	local dir=$1 mode=$2
	shift 2
	[ "$dir" = "$LK_ROOT" ] || lk_sync_tree "$dir"
	(
		cd "$dir" || exit 1
		if [ ! -x configure ] || [ ! -f Makefile.in ] ||
			[ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
			lk_log "autoreconf -fi in $dir"
			autoreconf -fi
		fi
		if [ ! -x config.status ]; then
			lk_log "configure $* in $dir"
			./configure -q "$@"
		elif [ "$mode" = exact ] && [ "$(lk_configured_flags .)" != "$*" ]; then
			# Objects do not depend on the flags: clean, or make would
			# keep the ones built without -Werror or the sanitizers.
			lk_log "reconfigure with $* in $dir (was: $(lk_configured_flags .))"
			[ -f Makefile ] && make -s clean
			./configure -q "$@"
		fi
		if [ ! -x src/latchkey ] ||
			[ -n "$(find src configure.ac Makefile.am \
				\( -name '*.[ch]' -o -name '*.def' -o -name '*.ac' -o -name '*.am' \) \
				-newer src/latchkey -print -quit)" ]; then
			lk_log "make in $dir"
			make -j"$(nproc)"
		fi
	) >&2   # build output to stderr: stdout is for the endpoint lines
}

# ------------------------------------------------------- processes, pids --

# lk_pid_live PID: true if PID exists and is not a zombie.  In this sandbox
# PID 1 reaps orphans late, so `kill -0` alone would report a dead process
# as alive for a second or two (MACHINE-NOTES.md).
lk_pid_live() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }                  # drop "pid (comm) "; comm may hold spaces
	[ "${stat%% *}" != Z ]
}

# lk_group_live PGID: true if a live (non-zombie) process is in group PGID.
# Every process we start runs under setsid, so its group is its own PID and
# holds its children (workers) too.  Builtins only: this runs in a loop.
lk_group_live() {
	local f stat state pgrp
	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		stat=${stat##*) }
		read -r state _ pgrp _ <<<"$stat"
		[ "$pgrp" = "$1" ] && [ "$state" != Z ] && return 0
	done
	return 1
}

# lk_pidfile_pid FILE NAME: print the PID in FILE if that process is alive
# and its program name starts with NAME (guards against reused PIDs).  The
# program name is argv[0]'s first word without its directory: "latchkey",
# "mariadbd", "lighttpd", or "nginx:" (nginx rewrites its argv); "setsid"
# and "env" (lk_start's wrappers, just before they exec) count too.
lk_pidfile_pid() {
	local pid argv0
	[ -s "$1" ] || return 1
	pid=$(tr -dc 0-9 <"$1")
	[ -n "$pid" ] && lk_pid_live "$pid" || return 1
	# While a process execs, its cmdline can read empty for a moment: a live
	# process with no readable cmdline counts as ours.
	if ! { IFS= read -r -d '' argv0 <"/proc/$pid/cmdline"; } 2>/dev/null && [ -z "${argv0:-}" ]; then
		printf '%s' "$pid"
		return 0
	fi
	argv0=${argv0%% *}
	argv0=${argv0##*/}
	# Right after lk_start the process may not have exec'd CMD yet.
	case $argv0 in "$2"* | setsid | env) printf '%s' "$pid" ;; *) return 1 ;; esac
}

# lk_stop NAME PIDFILE PROGRAM TIMEOUT: SIGTERM the process in PIDFILE, wait
# up to TIMEOUT seconds for it and its process group (its workers) to be
# gone, then SIGKILL the group.  No-op if it is not running.
lk_stop() {
	local name=$1 pidfile=$2 pattern=$3 timeout=$4 pid i
	if ! pid=$(lk_pidfile_pid "$pidfile" "$pattern"); then
		rm -f "$pidfile"
		return 0
	fi
	lk_log "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < timeout * 10; i++)); do
		if ! lk_pid_live "$pid" && ! lk_group_live "$pid"; then
			rm -f "$pidfile"
			return 0
		fi
		sleep 0.1
	done
	lk_log "$name did not stop in ${timeout}s; sending SIGKILL to its group"
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

# lk_start NAME PIDFILE LOGFILE CMD...: start CMD in its own session (setsid,
# stdin from /dev/null, output appended to LOGFILE) and record its PID.
# setsid does not fork here (a background job is not a group leader), so $!
# is CMD's own PID and `env -i ... prog` keeps it too, since env execs.
lk_start() {
	local name=$1 pidfile=$2 logfile=$3
	shift 3
	lk_log "starting $name"
	setsid "$@" </dev/null >>"$logfile" 2>&1 &
	printf '%s\n' "$!" >"$pidfile"
}

# lk_wait_for NAME PIDFILE PROGRAM TIMEOUT LOG CHECK...: poll the command
# CHECK every 0.1 s until it succeeds; fail (showing LOG) if the process in
# PIDFILE dies first or TIMEOUT seconds pass.
lk_wait_for() {
	local name=$1 pidfile=$2 pattern=$3 timeout=$4 log=$5 i
	shift 5
	for ((i = 0; i < timeout * 10; i++)); do
		"$@" && return 0
		if ! lk_pidfile_pid "$pidfile" "$pattern" >/dev/null; then
			local st=unknown p
			p=$(tr -dc 0-9 <"$pidfile" 2>/dev/null || true)
			# our own child, if it really ended: its exit status tells how
			# (never wait on one that still runs)
			if [ -n "$p" ] && ! lk_pid_live "$p"; then
				wait "$p" 2>/dev/null && st=0 || st=$?
			fi
			lk_tail "$log"
			lk_die "$name exited during start-up (status $st; log: $log)"
		fi
		sleep 0.1
	done
	lk_tail "$log"
	lk_die "$name not ready after ${timeout}s (log: $log)"
}

# ------------------------------------------------------------- run dir --

# lk_rundir_init: create the run directory and its subdirectories.
lk_rundir_init() {
	if [ -e "$LK_RUNDIR" ] && [ ! -e "$LK_RUNDIR/.latchkey-rundir" ] &&
		[ -n "$(ls -A "$LK_RUNDIR" 2>/dev/null)" ]; then
		lk_die "$LK_RUNDIR exists and was not made by scripts/run; choose another LATCHKEY_RUNDIR"
	fi
	mkdir -p "$LK_RUNDIR" "$LK_LOG" "$LK_PIDS" "$LK_DBDIR" "$LK_SAN" "$LK_RUNDIR/www" \
		"$LK_RUNDIR/nginx"
	chmod 0755 "$LK_RUNDIR"
	touch "$LK_RUNDIR/.latchkey-rundir"
	if lk_is_root; then
		# The daemon's workers run as $(lk_daemon_user) and write sanitizer
		# reports here; MariaDB runs as mysql and owns its directory.
		chown "$(lk_daemon_user):" "$LK_SAN"
		chown mysql: "$LK_DBDIR"
		chmod 0750 "$LK_DBDIR"
		runuser -u mysql -- test -w "$LK_DBDIR" ||
			lk_die "user mysql cannot reach $LK_DBDIR: put LATCHKEY_RUNDIR where mysql can traverse (e.g. under /tmp)"
	fi
}

# lk_daemon_user: the user latchkey's workers drop to when started as root.
lk_daemon_user() { printf '%s' "${LATCHKEY_USER:-nobody}"; }

# lk_secrets: load $LK_SECRETS, generating the values that are missing.
# Kept across runs, so the data in MariaDB stays readable (enc_key) and
# sessions stay valid (secret_key).
lk_secrets() {
	local name
	[ -e "$LK_SECRETS" ] || (umask 077 && : >"$LK_SECRETS")
	chmod 0600 "$LK_SECRETS"
	# shellcheck disable=SC1090
	. "$LK_SECRETS"
	for name in LK_SECRET_KEY LK_ENC_KEY LK_DB_PASSWORD LK_DB_ROOT_PASSWORD; do
		if [ -z "${!name:-}" ]; then
			printf -v "$name" '%s' "$(lk_random_hex)"
			printf '%s=%s\n' "$name" "${!name}" >>"$LK_SECRETS"
		fi
	done
}

# ----------------------------------------------------------------- MariaDB --

# lk_db_write_cnf: write my.cnf; sets LK_DB_CNF_CHANGED=1 when it changed
# (a running server must then be restarted to pick it up).
lk_db_write_cnf() {
	local tmp=$LK_MYCNF.new
	{
		echo "# Private MariaDB for latchkey's dev/test stack (written by scripts/run)."
		echo "# Always pass --defaults-file=$LK_MYCNF first, so /etc/mysql is never read."
		echo "[mariadbd]"
		lk_is_root && echo "user = mysql"
		echo "datadir = $LK_DBDIR/data"
		echo "socket = $LK_DB_SOCK"
		echo "pid-file = $LK_DBDIR/mariadbd.pid"
		echo "log-error = $LK_DBDIR/error.log"
		echo "bind-address = 127.0.0.1"
		echo "port = $LK_DB_PORT"
		echo "skip-name-resolve"
		echo "skip-log-bin"
		echo "character-set-server = utf8mb4"
		echo "collation-server = utf8mb4_unicode_ci"
		echo "innodb_flush_log_at_trx_commit = 1"
		echo "innodb_buffer_pool_size = 256M"
		echo "max_connections = 200"
		echo
		echo "# For mariadb-admin ping and the first root login (no password yet)."
		echo "[client]"
		echo "socket = $LK_DB_SOCK"
		echo "port = $LK_DB_PORT"
	} >"$tmp"
	LK_DB_CNF_CHANGED=0
	if ! cmp -s "$tmp" "$LK_MYCNF"; then
		mv "$tmp" "$LK_MYCNF"
		LK_DB_CNF_CHANGED=1
	else
		rm -f "$tmp"
	fi
	chmod 0644 "$LK_MYCNF"
}

# lk_db_init: create the data directory once with mariadb-install-db.
lk_db_init() {
	[ -d "$LK_DBDIR/data/mysql" ] && return 0
	lk_log "initialising MariaDB data directory $LK_DBDIR/data"
	rm -rf "$LK_DBDIR/data"          # a half-made one from an interrupted run
	mariadb-install-db --defaults-file="$LK_MYCNF" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve >"$LK_LOG/mariadb-install-db.log" 2>&1 || {
		lk_tail "$LK_LOG/mariadb-install-db.log"
		lk_die "mariadb-install-db failed"
	}
}

lk_db_ping() {
	mariadb-admin --defaults-file="$LK_MYCNF" --connect-timeout=1 ping >/dev/null 2>&1
}

# lk_db_start: start the private MariaDB unless it already runs with the
# current my.cnf; wait until it answers.
lk_db_start() {
	if lk_pidfile_pid "$LK_PIDS/mariadb.pid" mariadbd >/dev/null; then
		if [ "$LK_DB_CNF_CHANGED" = 0 ] && lk_db_ping; then
			lk_log "MariaDB already running (port $LK_DB_PORT)"
			return 0
		fi
		lk_db_stop
	fi
	lk_start MariaDB "$LK_PIDS/mariadb.pid" "$LK_LOG/mariadbd.log" \
		mariadbd --defaults-file="$LK_MYCNF"
	lk_wait_for MariaDB "$LK_PIDS/mariadb.pid" mariadbd 60 \
		"$LK_DBDIR/error.log" lk_db_ping
}

lk_db_stop() {
	lk_stop MariaDB "$LK_PIDS/mariadb.pid" mariadbd 120
}

# lk_db_admin [ARG...]: the mariadb client as root (reads SQL from stdin).
lk_db_admin() { mariadb --defaults-file="$LK_ADMINCNF" "$@"; }

# lk_db_bootstrap: root password, database `latchkey`, user `latchkey` for
# localhost and 127.0.0.1 (distinct accounts under skip-name-resolve), and
# root@127.0.0.1 so TCP clients can use admin.cnf's password too.
lk_db_bootstrap() {
	(
		umask 077
		cat >"$LK_ADMINCNF" <<-EOF
			# MariaDB root for the dev/test stack: mariadb --defaults-file=$LK_ADMINCNF latchkey
			[client]
			user = root
			password = $LK_DB_ROOT_PASSWORD
			socket = $LK_DB_SOCK
			port = $LK_DB_PORT
		EOF
	)
	if ! lk_db_admin -e 'SELECT 1' >/dev/null 2>&1; then
		# Fresh data directory: root@localhost has no password yet.
		mariadb --defaults-file="$LK_MYCNF" -u root -e \
			"ALTER USER 'root'@'localhost' IDENTIFIED BY '$LK_DB_ROOT_PASSWORD'" ||
			lk_die "cannot log in to MariaDB as root (delete $LK_RUNDIR to start over)"
	fi
	local pw=$LK_DB_PASSWORD host
	{
		echo "CREATE DATABASE IF NOT EXISTS latchkey CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
		for host in localhost 127.0.0.1; do
			echo "CREATE USER IF NOT EXISTS 'latchkey'@'$host' IDENTIFIED BY '$pw';"
			echo "ALTER USER 'latchkey'@'$host' IDENTIFIED BY '$pw';"
			echo "GRANT ALL PRIVILEGES ON latchkey.* TO 'latchkey'@'$host';"
		done
		echo "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '$LK_DB_ROOT_PASSWORD';"
		echo "ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '$LK_DB_ROOT_PASSWORD';"
		echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
	} | lk_db_admin
}

# ---------------------------------------------------------------- latchkey --

# lk_write_conf: the daemon's configuration file (it holds keys: mode 0600,
# or 0640 for the daemon user's group when we are root).
lk_write_conf() {
	(
		umask 077
		{
			echo "# latchkey configuration for the dev/test stack, written by scripts/run."
			echo "# Any key can be overridden by the environment: LATCHKEY_<KEY>."
			echo "listen=$LK_SOCK"
			echo "socket_mode=0666"
			[ -n "${LATCHKEY_WORKERS:-}" ] && echo "workers=$LATCHKEY_WORKERS"
			echo "db_host=127.0.0.1"
			echo "db_port=$LK_DB_PORT"
			echo "db_user=latchkey"
			echo "db_password=$LK_DB_PASSWORD"
			echo "db_name=latchkey"
			echo "secret_key=$LK_SECRET_KEY"
			echo "enc_key=$LK_ENC_KEY"
			echo "abuse=${LATCHKEY_ABUSE:-1}"
			lk_is_root && echo "user=$(lk_daemon_user)"
			echo "schema_dir=$LK_ROOT/schema"
			echo "public_endpoint=$LK_ENDPOINT"
			echo "password_dictionary=/usr/share/john/password.lst,$LK_RUNDIR/common-passwords.txt"
		} >"$LK_CONF.new"
	)
	# As root, the master drops to the daemon user too, and re-reads this
	# file on SIGHUP: let that user's group read it (0640).
	if lk_is_root; then
		chgrp "$(id -gn "$(lk_daemon_user)")" "$LK_CONF.new"
		chmod 0640 "$LK_CONF.new"
	fi
	mv "$LK_CONF.new" "$LK_CONF"
}

# lk_common_passwords: $LK_RUNDIR/common-passwords.txt, the 10,000 most
# common passwords by rank, from the ranked list Debian's python3-zxcvbn
# ships (the Python port of zxcvbn; the C library's own lists rank
# differently and miss some of them).  The daemon refuses them when a
# project turns passwordDictionary on (README: "Common passwords").
lk_common_passwords() {
	local src=/usr/lib/python3/dist-packages/zxcvbn/frequency_lists.py
	[ -r "$src" ] || lk_die "$src not found (package python3-zxcvbn)"
	sed -n 's/^ *"passwords": "\([^"]*\)"\.split(","),$/\1/p' "$src" |
		tr , '\n' | sed -n "s/\\\\'/'/g; 1,10000p" >"$LK_RUNDIR/common-passwords.txt.new"
	[ "$(wc -l <"$LK_RUNDIR/common-passwords.txt.new")" -eq 10000 ] ||
		lk_die "could not read the password list of $src"
	chmod 0644 "$LK_RUNDIR/common-passwords.txt.new"
	mv "$LK_RUNDIR/common-passwords.txt.new" "$LK_RUNDIR/common-passwords.txt"
}

# lk_daemon_env: fill the array LK_DENV with an `env -i ...` prefix giving
# the daemon a clean environment: PATH, locale, sanitizer options, the
# config file, and every LATCHKEY_* variable that is a daemon setting
# (ABUSE, WORKERS, SMTP_HOST, SMTP_PORT, SMS_WEBHOOK, ARGON2_*, ...), but not
# the scripts' own variables (LK_SCRIPT_VARS).
lk_daemon_env() {
	local v key
	LK_DENV=(env -i "PATH=$PATH" "LATCHKEY_CONFIG=$LK_CONF"
		"LATCHKEY_ABUSE=${LATCHKEY_ABUSE:-1}")
	for v in HOME LANG LC_ALL TZ ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && LK_DENV+=("$v=${!v}")
	done
	while IFS= read -r v; do
		key=${v#LATCHKEY_}
		case $LK_SCRIPT_VARS in *" $key "* | *"	$key "*) continue ;; esac
		[ "$key" = ABUSE ] && continue
		LK_DENV+=("$v=${!v}")
	done < <(compgen -e | grep '^LATCHKEY_' || true)
}

lk_socket_ready() { [ -S "$LK_SOCK" ]; }

# lk_latchkey_start BIN: migrate, seed the demo project, start the master.
lk_latchkey_start() {
	local bin=$1
	lk_daemon_env
	lk_log "migrating (schema $LK_ROOT/schema)"
	"${LK_DENV[@]}" "$bin" migrate >>"$LK_LOG/migrate.log" 2>&1 || {
		lk_tail "$LK_LOG/migrate.log"
		lk_die "latchkey migrate failed"
	}
	lk_db_admin latchkey <"$LK_ROOT/schema/demo.sql"
	rm -f "$LK_SOCK"
	lk_start latchkey "$LK_PIDS/latchkey.pid" "$LK_LOG/latchkey.log" \
		"${LK_DENV[@]}" "$bin" serve
	lk_wait_for latchkey "$LK_PIDS/latchkey.pid" latchkey 30 \
		"$LK_LOG/latchkey.log" lk_socket_ready
}

lk_latchkey_stop() {
	lk_stop latchkey "$LK_PIDS/latchkey.pid" latchkey 60
	rm -f "$LK_SOCK"
}

# ------------------------------------------------------------- web servers --

# lk_render EXAMPLE OUT: copy a *.conf.example, substituting @PORT@, @BIND@,
# @SOCKET@, @RUNDIR@ and @API_VERSION@; when not root, drop the lines that
# switch user (they are marked "# root-only").
lk_render() {
	local sock=$LK_SOCK rundir=$LK_RUNDIR
	sed -e "s|@PORT@|$LK_PORT|g" -e "s|@BIND@|$LK_BIND|g" \
		-e "s|@API_VERSION@|$(lk_api_version)|g" \
		-e "s|@SOCKET@|$sock|g" -e "s|@RUNDIR@|$rundir|g" \
		-e "s|^\([[:space:]]*include\) fastcgi_params;|\1 /etc/nginx/fastcgi_params;|" \
		"$1" >"$2.new"
	if ! lk_is_root; then
		sed -i '/# root-only/d' "$2.new"
	fi
	mv "$2.new" "$2"
}

# lk_http_status: "CODE CONTENT-TYPE" of GET /v1/account through the web
# server (000 when nothing answers).
lk_http_status() {
	curl -s --noproxy '*' -o /dev/null --max-time 5 -w '%{http_code} %{content_type}' \
		-H "X-Appwrite-Project: $LK_PROJECT" "$LK_ENDPOINT/account" || true
}

# lk_latchkey_answers: true once latchkey itself answers through the web
# server: a JSON answer (any status, e.g. 401) that is not the web server's
# own 502/503/504 for an unreachable backend (those are JSON too, see
# lk_error_pages).  A 503 from latchkey (database unreachable) also waits.
lk_latchkey_answers() {
	case $(lk_http_status) in
	50[234]\ *) return 1 ;;
	[1-5][0-9][0-9]\ application/json*) return 0 ;;
	*) return 1 ;;
	esac
}

# The Appwrite API version latchkey reports in error bodies (LK_API_VERSION
# in src/pipeline.c); the web servers' own errors say the same.
lk_api_version() {
	local v
	v=$(sed -n 's/^#define LK_API_VERSION "\(.*\)"$/\1/p' "$LK_ROOT/src/pipeline.c" 2>/dev/null)
	printf '%s' "${v:-1.8.1}"
}

# Errors the web server answers itself (oversized body or headers, backend
# down, a path outside /v1): HTTP status, Appwrite error type, message.
# They are sent in Appwrite's error shape, as latchkey's own errors are, so
# an SDK reports them like any other error (SECURITY.md 13, 14).
LK_WEB_ERRORS='400 general_bad_request Bad request.
403 general_access_forbidden Forbidden.
404 general_route_not_found The requested route was not found. Please refer to the API docs and try again.
405 general_not_implemented Method not allowed.
408 general_bad_request Request timeout.
411 general_bad_request Length required.
413 general_argument_invalid Request body is too large.
414 general_argument_invalid Request URI is too long.
417 general_bad_request Expectation failed.
431 general_argument_invalid Request headers are too large.
500 general_unknown Server Error
501 general_not_implemented Not implemented.
502 general_unknown Server Error
503 general_service_unavailable The service is temporarily unavailable. Please try again.
504 general_unknown Server Error
505 general_bad_request HTTP version not supported.'

# lk_error_pages DIR: lighttpd's error documents, DIR/status-NNN.html, each
# an Appwrite error body (lighttpd.conf.example maps .html to JSON).
lk_error_pages() {
	local dir=$1 code type msg version
	version=$(lk_api_version)
	mkdir -p "$dir"
	while read -r code type msg; do
		printf '{"message":"%s","code":%s,"type":"%s","version":"%s"}' \
			"$msg" "$code" "$type" "$version" >"$dir/status-$code.html"
	done <<<"$LK_WEB_ERRORS"
}

lk_web_start() {
	case $LK_WEB in
	lighttpd)
		lk_render "$LK_ROOT/lighttpd.conf.example" "$LK_RUNDIR/lighttpd.conf"
		lk_error_pages "$LK_RUNDIR/errors"
		# lighttpd opens its error log after dropping to www-data.
		touch "$LK_LOG/lighttpd-error.log"
		lk_is_root && chown www-data: "$LK_LOG/lighttpd-error.log"
		lighttpd -tt -f "$LK_RUNDIR/lighttpd.conf" >"$LK_LOG/lighttpd-check.log" 2>&1 || {
			lk_tail "$LK_LOG/lighttpd-check.log"
			lk_die "lighttpd rejected $LK_RUNDIR/lighttpd.conf"
		}
		lk_start lighttpd "$LK_PIDS/lighttpd.pid" "$LK_LOG/lighttpd.out" \
			lighttpd -D -f "$LK_RUNDIR/lighttpd.conf"
		;;
	nginx)
		lk_render "$LK_ROOT/nginx.conf.example" "$LK_RUNDIR/nginx.conf"
		local nginx=(nginx -p "$LK_RUNDIR/nginx/" -c "$LK_RUNDIR/nginx.conf"
			-e "$LK_LOG/nginx-error.log")
		"${nginx[@]}" -t -q >"$LK_LOG/nginx-check.log" 2>&1 || {
			lk_tail "$LK_LOG/nginx-check.log"
			lk_die "nginx rejected $LK_RUNDIR/nginx.conf"
		}
		lk_start nginx "$LK_PIDS/nginx.pid" "$LK_LOG/nginx.out" \
			"${nginx[@]}" -g 'daemon off;'
		;;
	*) lk_die "LATCHKEY_WEB must be lighttpd or nginx, not '$LK_WEB'" ;;
	esac
}

lk_web_stop() {
	lk_stop lighttpd "$LK_PIDS/lighttpd.pid" lighttpd 30
	lk_stop nginx "$LK_PIDS/nginx.pid" nginx 30
}

# lk_write_env: $LK_RUNDIR/env, sourced by the e2e tests' runner.
lk_write_env() {
	{
		echo "# Written by scripts/run: source it to reach the running stack."
		printf 'export LATCHKEY_ENDPOINT=%q\n' "$LK_ENDPOINT"
		printf 'export LATCHKEY_PROJECT=%q\n' "$LK_PROJECT"
		printf 'export LATCHKEY_MYSQL_DEFAULTS=%q\n' "$LK_ADMINCNF"
		printf 'export LATCHKEY_RUNDIR=%q\n' "$LK_RUNDIR"
	} >"$LK_ENVFILE"
}
