#!/bin/bash
# PID 1 of one lab NAS. Started by lab.ts as
#   ip netns exec NS unshare --mount --uts --pid --fork --kill-child --mount-proc bash nas-init.sh NASDIR
# so every daemon it starts lives in the NAS's pid namespace and dies with it
# (SIGKILL of `unshare` => the kernel kills the whole namespace, tgtd and samba-dcerpcd included).
# It reads commands ("SEQ start|stop DAEMON") from NASDIR/ctl.fifo and acks them in NASDIR/ctl.ack.
# Daemon command lines come from NASDIR/daemons/NAME.argv (NUL-separated argv written by lab.ts),
# so no shell string is ever built from values.
set -u
D=$1
cd / || exit 1

hostname "$(cat "$D/hostname")"

# Private /run: sshd, rpcbind, avahi and tgtd use compiled-in paths under /run (/var/run -> /run).
mount -t tmpfs -o mode=755,size=16m ndlab-run /run
mkdir -p /run/sshd /run/avahi-daemon /run/tgtd /run/rpcbind /run/samba /run/lab /run/sudo
chmod 700 /run/rpcbind
chown _rpc /run/rpcbind 2>/dev/null || true

# avahi's services dir is compiled in; samba writes empty log.rpcd_* files to /var/log/samba.
[ -d "$D/avahi/services" ] && mount --bind "$D/avahi/services" /etc/avahi/services
[ -d "$D/varlog-samba" ] && mount --bind "$D/varlog-samba" /var/log/samba
# so sudo and friends can resolve our own host name
mount --bind "$D/etc/hosts" /etc/hosts
# Tools run over SSH (net conf, testparm, ganesha reload) find this NAS's config at the standard
# paths, as on a real NAS, instead of needing lab-only -s flags.
[ -f "$D/samba/smb.conf" ] && [ -f /etc/samba/smb.conf ] && mount --bind "$D/samba/smb.conf" /etc/samba/smb.conf
[ -f "$D/ganesha/ganesha.conf" ] && [ -f /etc/ganesha/ganesha.conf ] && mount --bind "$D/ganesha/ganesha.conf" /etc/ganesha/ganesha.conf

mkdir -p "$D/log"
: >"$D/ctl.ack"

start_daemon() {
  local name=$1 argv pid
  [ -f "$D/daemons/$name.argv" ] || return 2
  pid=$(cat "/run/lab/$name.pid" 2>/dev/null) && [ -d "/proc/$pid" ] && return 0
  mapfile -d '' -t argv <"$D/daemons/$name.argv"
  # own session/process group: smbd's exit signals its whole process group, which would otherwise be ours
  setsid "${argv[@]}" </dev/null >>"$D/log/$name.log" 2>&1 &
  echo $! >"/run/lab/$name.pid"
}

stop_daemon() {
  local name=$1 pid i
  pid=$(cat "/run/lab/$name.pid" 2>/dev/null) || return 0
  rm -f "/run/lab/$name.pid"
  case $name in
    tgtd) kill -KILL "$pid" 2>/dev/null ;; # tgtd ignores SIGTERM
    *) kill -TERM "$pid" 2>/dev/null ;;
  esac
  for i in $(seq 1 40); do
    [ -d "/proc/$pid" ] || break
    # a zombie child still has /proc/PID until reaped; wait reaps it
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ "$name" = smbd ]; then
    # samba-dcerpcd is not in smbd's process group; stop it too so a restart is clean
    local p
    for f in "$D"/samba/run/samba-dcerpcd.pid "$D"/samba/run/rpcd_*.pid; do
      [ -f "$f" ] || continue
      p=$(cat "$f") && kill -KILL "$p" 2>/dev/null
    done
  fi
  return 0
}

touch "$D/ready"

# Open read-write so the fifo never reports EOF when a writer goes away.
exec 3<>"$D/ctl.fifo"
while read -r -u 3 seq verb name; do
  case $verb in
    start) start_daemon "$name"; rc=$? ;;
    stop) stop_daemon "$name"; rc=$? ;;
    *) rc=64 ;;
  esac
  echo "$seq $rc" >>"$D/ctl.ack"
done
