#!/bin/sh
# Install what building and testing need, on Debian, when it is missing.
# Usage: tests/deps.sh [EXTRA-PACKAGE ...]
set -eu
pkgs="build-essential pkg-config mariadb-server mariadb-client
      libmariadb-dev libinih-dev libcurl4-openssl-dev libexpat1-dev
      libjansson-dev libssl-dev xfsprogs btrfs-progs util-linux procps
      sysbench cppcheck curl qemu-guest-agent dpkg-dev debhelper lintian git
      prometheus adduser logrotate $*"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing:$missing (run as root, or install them)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# verify's throwaway server runs as this user, as the package makes it
if ! getent passwd mysql-quiesce >/dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: no user mysql-quiesce (run as root, or create it)" >&2
		exit 1
	fi
	echo "deps: adding the system user mysql-quiesce"
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin mysql-quiesce
fi
