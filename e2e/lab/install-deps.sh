#!/bin/bash
# Install the Debian 12 packages the lab NAS and the rest of the test suite need (run as root).
# Fast path: exits within a second when everything is already installed.
set -euo pipefail

PKGS=(
  # lab NAS servers and storage
  btrfs-progs e2fsprogs util-linux mount passwd procps iproute2 sudo
  samba samba-common-bin samba-vfs-modules nfs-ganesha nfs-ganesha-vfs rpcbind tgt
  openssh-server avahi-daemon wsdd tini
  # clients used by the tests
  smbclient libnfs-utils libiscsi-bin openssh-client avahi-utils
  # client-side FUSE mounting (no kernel cifs/nfs here) and secrets
  gvfs gvfs-backends gvfs-fuse gvfs-daemons libglib2.0-bin fuse3
  libsecret-1-dev gnome-keyring dbus dbus-x11
  # browser for the UI tests; toolchain for keytar's node-gyp build
  chromium make g++ python3
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: must run as root" >&2
  exit 1
fi

# one dpkg-query for all packages (a call per package takes well over a second)
declare -A ok=()
while read -r name status; do
  [ "$status" = "install ok installed" ] && ok[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null || true)
missing=()
for p in "${PKGS[@]}"; do
  [ -n "${ok[$p]:-}" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"

# A postinst must not start avahi/nmbd/wsdd/sshd in the root namespace (they would talk to the real LAN).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# nasdeck lab: never start daemons from package scripts\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
elif ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
  echo "install-deps: WARNING: /usr/sbin/policy-rc.d exists but does not exit 101; daemons may be started" >&2
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "install-deps: done"
