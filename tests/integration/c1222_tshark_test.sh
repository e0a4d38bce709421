#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Our C12.22 on the wire, checked by Wireshark's own dissector. meterd polls three simulated
# C12.22 meters (metersim) every 10 s and `meterctl c12` writes ST5, reads ST5, ST1 and ST23 and
# calls MP1 (disconnect, reconnect), while tshark captures loopback. tshark must report no
# malformed packet or error, and the same table ids, data and procedure sequence numbers that
# meterctl sent and read; the head-end's sessions must read the tables a head-end needs. The API
# shows the meters' registers and present values, and a disconnect through the command queue is
# acknowledged; the offline TDL tools (tdl-merge, tdl-decode) agree with what was read. Where
# this user may not capture on lo, the meterctl sessions are checked from the
# capture meterctl writes itself (--pcap) and the live capture is skipped.
# Usage: c1222_tshark_test.sh <dir with meterd, metersim and meterctl> <meters dir>
#   C1222_TSHARK_LIVE=0 tries the fallback (no live capture); KEEP_WORK=1 keeps the work directory.
set -euo pipefail
bin=$1
meters=$2
command -v tshark >/dev/null || { echo "c1222_tshark_test: SKIP (no tshark)"; exit 77; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in meterd.log metersim.log tshark.err; do [ -f "$work/$f" ] && { echo "--- $f"; tail -20 "$work/$f"; }; done
  exit 1
}
# Waits (up to 60 s) until the command "$@" succeeds.
wait_for() {
  for _ in $(seq 1 600); do "$@" && return 0; sleep 0.1; done
  return 1
}

password=c12-secret
METERD_ADMIN_PASSWORD=$password METERD_METER_MODELS_DIR=$meters "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" --static-dir none \
  --poll-targets "$work/targets.toml" --poll-interval 10 >"$work/meterd.log" 2>&1 &
pids+=($!)
wait_for grep -q 'listening on http://' "$work/meterd.log" || fail "meterd did not start"
url=$(grep -o 'listening on http://[0-9.:]*' "$work/meterd.log" | sed 's/listening on //')
# Capture from before the meters exist, so that the head-end's first round (which reads the load
# profile, then not again for hours) is in it: on a port chosen here, free a moment ago.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
live=0
tshark -i lo -f "tcp port $port" -w "$work/live.pcapng" >/dev/null 2>"$work/tshark.err" &
tshark_pid=$!
pids+=($tshark_pid)
capturing() { grep -q 'Capturing on' "$work/tshark.err" || ! kill -0 "$tshark_pid" 2>/dev/null; }
wait_for capturing || fail "tshark neither captures nor exits"
if [ "${C1222_TSHARK_LIVE:-1}" = 0 ]; then kill "$tshark_pid"; wait "$tshark_pid" 2>/dev/null || true; fi  # to try the fallback
"$bin/metersim" --url "$url" --devices 1 --days 0 --state-dir "$work/sim" --enrolment-key-file "$work/data/enrolment.key" \
  --c12-meters 3 --c12-port "$port" --c12-password operator --targets-file "$work/targets.toml" --models-dir "$meters" \
  --live >"$work/metersim.log" 2>&1 &
pids+=($!)
wait_for grep -q 'C12.22 meters on 127.0.0.1:' "$work/metersim.log" || fail "metersim did not start its C12.22 meters"
grep -q "C12.22 meters on 127.0.0.1:$port " "$work/metersim.log" || fail "metersim's meters are not on port $port: $(cat "$work/metersim.log")"
meter=.1153.100001

if kill -0 "$tshark_pid" 2>/dev/null; then live=1; else echo "c1222_tshark_test: cannot capture on lo here; checking meterctl's own capture"; fi

# meterctl's sessions: what we send and what we read, as meterctl reports it.
# c12 <session name> <meterctl c12 arguments>: each session also writes its own capture.
c12() { local name=$1; shift; "$bin/meterctl" --json c12 "$@" --pcap "$work/client-$name.pcap"; }
# meterctl calls as ApTitle .2: the head-end is .1, and a meter keeps one session per caller.
master=(127.0.0.1:"$port" --ap-title "$meter" --calling-ap-title .2 --user-id 3 --user master --password master)
operator=(127.0.0.1:"$port" --ap-title "$meter" --calling-ap-title .2 --user-id 2 --user operator --password operator)
ident=$(printf 'TSHARK-%08d      ' $((RANDOM * RANDOM % 100000000)) | head -c 20 | od -An -tx1 | tr -d ' \n')
wrote=$(c12 write-st5 write "${master[@]}" --table ST5 --hex "$ident")
grep -q '"ok":true' <<<"$wrote" || fail "c12 write ST5: $wrote"
st5=$(c12 read-st5 read "${master[@]}" --model meterd-sim --models-dir "$meters" --table ST5)
grep -q "\"bytes\":\"$ident\"" <<<"$st5" || fail "ST5 read back: $st5"
st1=$(c12 read-st1 read "${master[@]}" --model meterd-sim --models-dir "$meters" --table ST1)
st1_hex=$(sed 's/.*"bytes":"\([0-9a-f]*\)".*/\1/' <<<"$st1")
st23=$(c12 read-st23 read "${master[@]}" --model meterd-sim --models-dir "$meters" --table ST23)
st23_hex=$(sed 's/.*"bytes":"\([0-9a-f]*\)".*/\1/' <<<"$st23")
grep -q '"value":{' <<<"$st23" || fail "ST23 did not decode: $st23"
off=$(c12 mp1-open procedure "${operator[@]}" --model meterd-sim --models-dir "$meters" --procedure MP1 --param RELAY_MASK=7 --param ACTION=0)
grep -q '"result":"completed"' <<<"$off" || fail "MP1 open: $off"
grep -q '"CLOSED":true' <<<"$off" && fail "MP1 open left a relay closed: $off"
on=$(c12 mp1-close procedure "${operator[@]}" --model meterd-sim --models-dir "$meters" --procedure MP1 --param RELAY_MASK=7 --param ACTION=1)
grep -q '"result":"completed"' <<<"$on" || fail "MP1 close: $on"

# The TDL tools, offline: the meter type merged and written out, the tables read above decoded
# again from their bytes, and a fragment naming a missing table refused with its line.
st0=$(c12 read-st0 read "${master[@]}" --table ST0)
st0_hex=$(sed 's/.*"bytes":"\([0-9a-f]*\)".*/\1/' <<<"$st0")
merged=$("$bin/meterctl" --json c12 tdl-merge "$meters/c1219/meterd-sim.xml" --out "$work/merged.xml")
grep -q '"MT2 SIM_RELAY_TBL"' <<<"$merged" && grep -q '"MP1 SIM_RELAY_CONTROL"' <<<"$merged" || fail "tdl-merge: $merged"
decoded=$("$bin/meterctl" --json c12 tdl-decode --tdl "$work/merged.xml" --table ST1 --hex "$st1_hex" --with "ST0=$st0_hex")
grep -q '"MANUFACTURER":"MTRD"' <<<"$decoded" && grep -q '"MFG_SERIAL_NUMBER":"C12-100001      "' <<<"$decoded" \
  || fail "tdl-decode ST1: $decoded"
printf '<tdl-fragment name="bad" base="ANSI C12.19 standard tables">\n  <modify table="ST999" field="X" default="1"/>\n</tdl-fragment>\n' >"$work/bad.xml"
set +e
err=$("$bin/meterctl" c12 tdl-merge "$work/bad.xml" 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "bad.xml:2: <modify>: table 'ST999' is not in the base TDL" <<<"$err" || fail "bad fragment ($rc): $err"

# The head-end: registers and present values in the API, and a disconnect through the queue.
export METERD_URL=$url METERD_USER=admin METERD_PASSWORD=$password
polled() { "$bin/meterctl" --json meters --search C1222 2>/dev/null | grep -o '"register":{[^}]*}' | grep -c value | grep -q '^3$'; }
wait_for polled || fail "meterd did not read the three C12.22 meters: $("$bin/meterctl" meters 2>&1)"
present=$("$bin/meterctl" present E-C1222-R1153.100002)
grep -q '^v_l1 ' <<<"$present" || fail "no present values: $present"
cmd=$(timeout 60 "$bin/meterctl" --json command C1222-R1153.100003 --output off --wait) || fail "disconnect command: $cmd"
grep -q '"state":"acknowledged"' <<<"$cmd" && grep -q 'MP1 completed' <<<"$cmd" || fail "disconnect command: $cmd"

# What tshark sees. -d: our port is not 1153.
ts() { local f=$1; shift; tshark -r "$f" -d "tcp.port==$port,c1222" "$@" 2>/dev/null; }
no_errors() {
  local bad
  bad=$(ts "$1" -Y "tcp.port == $port && (_ws.malformed || _ws.expert.severity >= error || c1222.bad_checksum || c1222.command_truncated || c1222.epsem.ber_length_error || c1222.epsem.field_length_error || c1222.epsem.missing)")
  [ -z "$bad" ] || fail "tshark finds errors in $1: $bad"
  [ "$(ts "$1" -Y c1222 | wc -l)" -gt 0 ] || fail "tshark finds no C12.22 in $1"
}
# Response data as the dissector shows it: <count 2> <data> <checksum 1>. (tshark's output is
# kept whole before grep looks at it: grep -q stopping early would break tshark's pipe.)
has_data() {
  local data
  data=$(ts "$1" -Y c1222.data -T fields -e c1222.data)
  grep -q "^$(printf '%04x' $(( ${#2} / 2 )))$2[0-9a-f][0-9a-f]\$" <<<"$data"
}
check_sessions() {  # $1..: capture files holding meterctl's sessions
  local all=("$@") f
  for f in "${all[@]}"; do no_errors "$f"; done
  cat_fields() { for f in "${all[@]}"; do ts "$f" -Y c1222 -T fields "$@"; done; }
  local writes reads
  writes=$(cat_fields -e c1222.write.table -e c1222.write.data)
  reads=$(cat_fields -e c1222.read.table)
  grep -q "^0x0005"$'\t'"$ident\$" <<<"$writes" || fail "tshark: no write of ST5 with $ident"
  grep -q '^0x0005$' <<<"$reads" || fail "tshark: no read of ST5"
  for f in "${all[@]}"; do has_data "$f" "$ident" && break; done || fail "tshark: ST5 answer is not $ident"
  for f in "${all[@]}"; do has_data "$f" "$st1_hex" && break; done || fail "tshark: ST1 answer is not $st1_hex"
  for f in "${all[@]}"; do has_data "$f" "$st23_hex" && break; done || fail "tshark: ST23 answer is not $st23_hex"
  # MP1 twice, with the sequence numbers meterctl reported, and ST8 read back each time.
  local seqs
  seqs=$(cat_fields -e c1222.write.table -e c1222.procedure.num -e c1222.procedure.mfg -e c1222.procedure.sequence | awk -F'\t' '$1=="0x0007"{print $2, $3, $4}')
  for r in "$off" "$on"; do
    local seq
    seq=$(sed 's/.*"sequence":\([0-9]*\).*/\1/' <<<"$r")
    grep -Eq "^(1|0x0001) [^ ]* $seq\$" <<<"$seqs" || fail "tshark: no MP1 call with sequence $seq in: $seqs"
  done
  [ "$(grep -c '^0x0008$' <<<"$reads")" -ge 2 ] || fail "tshark: ST8 not read back"
}
check_sessions "$work"/client-*.pcap

if [ "$live" = 1 ]; then
  # Once the head-end's session with the disconnect and its first round's reads of the load
  # profile (ST63, ST64) and the logs (ST71, ST76) are in the capture, stop it: on a loaded machine
  # those reads may come after the disconnect.
  head_end_done() {
    local calls reads
    calls=$(ts "$work/live.pcapng" -Y 'c1222.write.table == 7' -T fields -e frame.number | wc -l)
    reads=$(ts "$work/live.pcapng" -Y c1222.read.table -T fields -e c1222.read.table | sort -u)
    [ "$calls" -ge 3 ] && for t in 0x003f 0x0040 0x0047 0x004c; do grep -q "$t" <<<"$reads" || return 1; done
  }
  wait_for head_end_done || fail "the head-end's procedure call is not in the capture"
  kill -INT "$tshark_pid"
  wait "$tshark_pid" || true
  check_sessions "$work/live.pcapng"
  # The head-end read what a head-end needs: configuration, registers, load profile, event log.
  tables=$(ts "$work/live.pcapng" -Y c1222.read.table -T fields -e c1222.read.table | sort -u | tr '\n' ' ')
  for t in 0x0000 0x0015 0x0016 0x0017 0x001b 0x001c 0x003d 0x003e 0x003f 0x0040 0x0047 0x004c; do
    grep -q "$t" <<<"$tables" || fail "the head-end did not read table $t (read: $tables)"
  done
  # Each of its sessions logged on with the operator and ended with a logoff.
  [ "$(ts "$work/live.pcapng" -Y 'c1222.logon.user == "operator  "' | wc -l)" -ge 3 ] || fail "no head-end logons"
  [ "$(ts "$work/live.pcapng" -Y 'c1222.cmd == 0x52' | wc -l)" -ge 3 ] || fail "no logoffs"
fi
echo "c1222_tshark_test: OK ($([ "$live" = 1 ] && echo "live capture and " )meterctl's captures)"
