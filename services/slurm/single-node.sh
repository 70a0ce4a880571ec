#!/usr/bin/env bash
# A single-node Slurm (slurmctld + slurmd on this machine, munge for auth) for the tests of
# `textmine cluster slurm` (tests/cluster/test_hpc.py runs a worker job through it when `sinfo`
# answers; it runs `start` itself when it is root and `stop` after). Debian/Ubuntu, as root:
#   services/slurm/single-node.sh start | stop | status
# Packages (installed by `start` when missing): slurmctld slurmd slurm-client munge (Debian 12:
# Slurm 22.05). No cgroups (proctrack/linuxproc, task/none): it runs in containers and VMs alike.
# `stop` stops only the daemons `start` started (listed in $started).
set -euo pipefail
cmd="${1:-start}"
host="$(hostname -s)"
cpus="$(nproc)"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
started=/var/run/textmine-single-node-slurm.started

install() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
}

start() {
  install
  mkdir -p /var/run/munge /var/log/munge /var/lib/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown -R munge:munge /etc/munge /var/run/munge /var/log/munge /var/lib/munge
  chmod 0700 /etc/munge && chmod 0400 /etc/munge/munge.key
  if [ ! -S /var/run/munge/munge.socket.2 ] || ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged --force
    echo munged >> "$started"
  fi
  cat > /etc/slurm/slurm.conf <<CONF
# written by textmine services/slurm/single-node.sh
ClusterName=textmine
SlurmctldHost=${host}
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/var/run/slurmctld.pid
SlurmdPidFile=/var/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
NodeName=${host} CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
  running /var/run/slurmctld.pid || { /usr/sbin/slurmctld; echo slurmctld >> "$started"; }
  running /var/run/slurmd.pid || { /usr/sbin/slurmd; echo slurmd >> "$started"; }
  for _ in $(seq 30); do
    if sinfo -h -o %t 2>/dev/null | grep -q idle; then sinfo; return; fi
    sleep 1
  done
  echo "slurm did not come up: see /var/log/slurm/" >&2
  exit 1
}

stop() {
  [ -s "$started" ] || return 0
  scancel --name=textmine-worker 2>/dev/null || true
  grep -qx slurmd "$started" && [ -s /var/run/slurmd.pid ] && kill "$(cat /var/run/slurmd.pid)" 2>/dev/null
  grep -qx slurmctld "$started" && [ -s /var/run/slurmctld.pid ] && kill "$(cat /var/run/slurmctld.pid)" 2>/dev/null
  grep -qx munged "$started" && [ -s /var/run/munge/munged.pid ] && kill "$(cat /var/run/munge/munged.pid)" 2>/dev/null
  rm -f "$started"
  return 0
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
