#!/usr/bin/env bash
# The one test command (see README): unit suite always; integration and e2e suites against the
# real site when a bench and site are configured (tests/site.py says how they are found), else
# skipped with one line saying why. Arguments go to pytest (default: pyproject's testpaths).
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)

read -r bench site < <(python3 tests/site.py)
python=${PYTHON:-python3}
run=()
if [ "$bench" != "-" ] && [ -x "$bench/env/bin/python" ]; then
	python="$bench/env/bin/python"
	export FRAPPE_BENCH_PATH="$bench" FRAPPE_SITE="$site"
	owner=$(stat -c %U "$bench")
	if [ "$(id -u)" = 0 ] && [ "$owner" != root ]; then
		# bench files belong to the bench's user; never write into them as root
		if ! runuser -u "$owner" -- test -r "$checkout/tests/run.sh"; then
			# the bench's user cannot read this checkout (e.g. a clone under /root): test a readable copy
			copy=$(mktemp -d)
			rsync -a --exclude .git "$checkout/" "$copy/"
			chmod -R a+rX "$copy"
			checkout=$copy
		fi
		run=(runuser -u "$owner" -- env PATH="$PATH" HOME="$(getent passwd "$owner" | cut -d: -f6)"
			FRAPPE_BENCH_PATH="$bench" FRAPPE_SITE="$site"
			CRM_LIFECYCLE_REQUIRE_SITE="${CRM_LIFECYCLE_REQUIRE_SITE:-}" CHROMIUM="${CHROMIUM:-}")
	fi
fi

export PYTHONDONTWRITEBYTECODE=1
status=0
cd "$checkout"
"${run[@]}" "$python" -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
	echo "no tests were collected"
	status=0
fi
exit "$status"
