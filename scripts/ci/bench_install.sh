#!/usr/bin/env bash
# The README's "Installing on an existing ERPNext v15 site", word for word, with the real `bench` CLI
# (frappe-bench from PyPI) as a non-root user, on a fresh bench built from the configured sources
# (BRM_FRAPPE_SOURCE / BRM_ERPNEXT_SOURCE, as scripts/dev reads them), on a site that has been used:
# its module map is cached in Redis and it has customers before brm_app arrives. Then it checks the result
# and that `uninstall-app` leaves nothing behind.
#
#   scripts/ci/bench_install.sh        as root (CI): creates the user BRM_CLI_USER (default brmbench)
#
# To stay fast it reuses the user's pip / uv / yarn caches, skips the desk asset build (`bench init
# --skip-assets`, `get-app --skip-assets` for ERPNext), and makes the site from scripts/dev's template
# (an ERPNext site with the setup wizard done, `new-site --source-sql`) instead of installing ERPNext.
# Each step's output is in $BRM_CLI_HOME/logs/<step>.log; a failing step is named with its log's end.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEV=$REPO_DIR/scripts/dev
[ "$(id -u)" = 0 ] || { echo "run as root: it creates the non-root user that runs bench" >&2; exit 2; }

# the effective settings of scripts/dev (environment, then ~/.config/brm_app/dev.env, then defaults)
while IFS='=' read -r key value; do export "$key=$value"; done < <("$DEV" env)
: "${BRM_CLI_USER:=brmbench}"
: "${BRM_CLI_BENCH_VERSION:=5.31.*}"
: "${BRM_CLI_SITE:=brm-cli.localhost}"

log() { printf '\033[1;34m[bench install]\033[0m %s\n' "$*" >&2; }
fail() {
	printf '\033[1;31m[bench install] FAILED:\033[0m %s\n' "$*" >&2
	exit 1
}

id "$BRM_CLI_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$BRM_CLI_USER"
USER_HOME=$(getent passwd "$BRM_CLI_USER" | cut -d: -f6)
: "${BRM_CLI_HOME:=$USER_HOME/brm-cli}"
W=$BRM_CLI_HOME
LOGS=$W/logs

# The registries may sit behind a TLS proxy whose CA is only in the system's store: uv (which bench init
# uses) and node trust their own lists unless told, so point them at the system's bundle when it exists
# and the environment names none.
SYSTEM_CA=/etc/ssl/certs/ca-certificates.crt
if [ -f "$SYSTEM_CA" ]; then
	: "${SSL_CERT_FILE:=$SYSTEM_CA}" "${NODE_EXTRA_CA_CERTS:=$SYSTEM_CA}" "${UV_NATIVE_TLS:=1}"
	export SSL_CERT_FILE NODE_EXTRA_CA_CERTS UV_NATIVE_TLS
fi

as_user() { # command line run by bash as the bench user, with this environment (registries' CA, pip config)
	runuser -u "$BRM_CLI_USER" -- env HOME="$USER_HOME" USER="$BRM_CLI_USER" LOGNAME="$BRM_CLI_USER" \
		PATH="$USER_HOME/.local/bin:$USER_HOME/bench-cli/bin:$PATH" W="$W" SITE="$BRM_CLI_SITE" \
		bash -euo pipefail -c "$1"
}

step() { # name "command line" (run as the bench user, output to $LOGS/name.log)
	local name=$1 started=$SECONDS rc=0
	log "$name"
	printf '$ %s\n' "$2" >"$LOGS/$name.log"
	as_user "$2" >>"$LOGS/$name.log" 2>&1 </dev/null || rc=$?
	if [ "$rc" != 0 ]; then
		printf '\033[1;31m[bench install]\033[0m step "%s" failed (exit %s): %s\n  log: %s (last 30 lines)\n' \
			"$name" "$rc" "$2" "$LOGS/$name.log" >&2
		tail -n 30 "$LOGS/$name.log" | sed 's/^/  | /' >&2
		exit 1
	fi
	log "  done in $((SECONDS - started)) s"
}

started=$SECONDS
# MariaDB, Redis and the site template of scripts/dev's bench (built there once, reused)
"$DEV" services
TEMPLATE=$("$DEV" template | tail -n 1)
[ -f "$TEMPLATE" ] || fail "no site template from scripts/dev template"

# a fresh bench each run; the user's tool caches stay
rm -rf "$W"
mkdir -p "$W/src" "$LOGS"
cp "$TEMPLATE" "$W/src/template.sql.gz"
# sources the user can read: this repository at its commit, and the local source of air-datepicker
git clone -q --no-local "$REPO_DIR" "$W/src/brm_app"
chown -R "$BRM_CLI_USER:" "$W"

step tools 'git config --global --add safe.directory "*"
	[ -x ~/bench-cli/bin/bench ] || python3 -m venv ~/bench-cli
	~/bench-cli/bin/pip install -q "frappe-bench=='"$BRM_CLI_BENCH_VERSION"'"
	command -v yarn || npm install -g --prefix ~/.local yarn@1.22.22
	bench --version'

clone() { # app source branch: a shallow copy the user owns (local sources may hold files only root reads)
	local source=$2
	[ -d "$source" ] && source="file://$source"
	step "clone-$1" "git clone -q --depth 1 --no-local --branch '$3' '$source' \"\$W/src/$1\""
}
clone frappe "$BRM_FRAPPE_SOURCE" "$BRM_FRAPPE_BRANCH"
clone erpnext "$BRM_ERPNEXT_SOURCE" "$BRM_ERPNEXT_BRANCH"
if [ "$BRM_WITH_HELPDESK" = 1 ]; then clone helpdesk "$BRM_HELPDESK_SOURCE" "$BRM_HELPDESK_BRANCH"; fi
if [ -n "${BRM_AIR_DATEPICKER_SOURCE:-}" ]; then
	# frappe's package.json takes air-datepicker from GitHub; a machine without GitHub uses a local clone
	step clone-air-datepicker "git clone -q --no-local 'file://$BRM_AIR_DATEPICKER_SOURCE' \"\$W/src/air-datepicker\"
		cd \"\$W/src/frappe\"
		sed -i \"s#\\\"github:frappe/air-datepicker\\\"#\\\"file:\$W/src/air-datepicker\\\"#\" package.json
		git -c user.name=ci -c user.email=ci@localhost commit -qam 'air-datepicker from a local clone'"
fi

step bench-init "cd \"\$W\" && bench init --frappe-path \"\$W/src/frappe\" --frappe-branch '$BRM_FRAPPE_BRANCH' \
	--skip-redis-config-generation --no-backups --no-procfile --skip-assets bench"
step bench-config "cd \"\$W/bench\"
	bench set-config -g db_host '$BRM_DB_HOST'
	bench set-config -g db_port '$BRM_DB_PORT'
	for key in redis_cache redis_queue redis_socketio; do bench set-config -g \$key '$BRM_REDIS_URL'; done
	# frappe 15.44 imports pkg_resources, which setuptools 80 removed (bench seeds the newest)
	bench pip install -q 'setuptools<80'"
step get-erpnext "cd \"\$W/bench\" && bench get-app --branch '$BRM_ERPNEXT_BRANCH' --skip-assets \"\$W/src/erpnext\""
if [ "$BRM_WITH_HELPDESK" = 1 ]; then
	# the template's site has Helpdesk too. Added as get-app does, without its Vue front-end (get-app would
	# run yarn in it even with --skip-assets): clone, editable install, apps.txt
	step get-helpdesk "cd \"\$W/bench\" && git clone -q \"\$W/src/helpdesk\" apps/helpdesk
		./env/bin/python -m pip install -q -e apps/helpdesk
		printf '\\nhelpdesk\\n' >>sites/apps.txt"
fi
step new-site "cd \"\$W/bench\" && bench new-site \"\$SITE\" --force --source-sql \"\$W/src/template.sql.gz\" \
	--db-root-username '$BRM_DB_ROOT_USER' --db-root-password '$BRM_DB_ROOT_PASSWORD' --admin-password admin \
	&& bench --site \"\$SITE\" set-config allow_tests true"

# the site is in use: customers exist, and its module map is cached without brm_app
CHECKS="cd \"\$W/bench/sites\" && ../env/bin/python \"\$W/src/brm_app/scripts/ci/bench_install_checks.py\" \"\$SITE\""
step use-site "cd \"\$W/bench\"
	bench --site \"\$SITE\" execute frappe.client.insert_many --kwargs '{\"docs\": [
		{\"doctype\": \"Customer\", \"customer_name\": \"Before BRM One\", \"customer_type\": \"Company\"},
		{\"doctype\": \"Customer\", \"customer_name\": \"Before BRM Two\", \"customer_type\": \"Company\"}]}'
	bench --site \"\$SITE\" clear-cache
	bench --site \"\$SITE\" list-apps"

# the README's three commands, word for word
step readme-get-app "cd \"\$W/bench\" && bench get-app \"\$W/src/brm_app\""
step stale-map "$CHECKS stale-map"
step readme-install-app "cd \"\$W/bench\" && bench --site \"\$SITE\" install-app brm_app"
step readme-migrate "cd \"\$W/bench\" && bench --site \"\$SITE\" migrate"
step check-installed "$CHECKS installed"

step uninstall "cd \"\$W/bench\" && bench --site \"\$SITE\" uninstall-app brm_app --yes --no-backup"
step check-uninstalled "$CHECKS uninstalled"

step drop-site "cd \"\$W/bench\" && bench drop-site \"\$SITE\" --force --no-backup \
	--db-root-username '$BRM_DB_ROOT_USER' --db-root-password '$BRM_DB_ROOT_PASSWORD'"
log "passed in $((SECONDS - started)) s (bench $BRM_CLI_BENCH_VERSION as $BRM_CLI_USER in $W/bench; logs in $LOGS)"
