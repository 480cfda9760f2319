#!/usr/bin/env bash
# Start a throw-away Orthanc with its DICOMweb plug-in on 127.0.0.1 for the library's storage tests.
#   scripts/orthanc-test.sh start [PORT]   -> prints the DICOMweb root URL; state in $ORTHANC_TEST_DIR (default a temp dir)
#   scripts/orthanc-test.sh stop
# Needs Debian's orthanc and orthanc-dicomweb. No DICOM (DIMSE) port is opened; remote HTTP access is refused.
set -euo pipefail
action="${1:-start}"
port="${2:-8043}"
state="${ORTHANC_TEST_DIR:-/tmp/cmrnet-orthanc-test}"
plugin="$(ls /usr/share/orthanc/plugins/libOrthancDicomWeb.so 2>/dev/null || true)"

if [ "$action" = "stop" ]; then
  if [ -f "$state/orthanc.pid" ]; then kill "$(cat "$state/orthanc.pid")" 2>/dev/null || true; rm -f "$state/orthanc.pid"; fi
  exit 0
fi
command -v Orthanc >/dev/null 2>&1 || { echo "Orthanc is not installed (apt-get install orthanc orthanc-dicomweb)" >&2; exit 1; }
[ -n "$plugin" ] || { echo "The Orthanc DICOMweb plug-in is not installed (apt-get install orthanc-dicomweb)" >&2; exit 1; }
mkdir -p "$state/db"
cat > "$state/orthanc.json" <<JSON
{
  "Name": "cmrnet-test",
  "StorageDirectory": "$state/db",
  "IndexDirectory": "$state/db",
  "HttpServerEnabled": true,
  "HttpPort": $port,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomServerEnabled": false,
  "SaveJobs": false,
  "Plugins": ["$plugin"],
  "DicomWeb": {"Enable": true, "Root": "/dicom-web/", "EnableWado": true, "StudiesMetadata": "Full", "SeriesMetadata": "Full"}
}
JSON
if [ -f "$state/orthanc.pid" ] && kill -0 "$(cat "$state/orthanc.pid")" 2>/dev/null; then
  echo "http://127.0.0.1:$port/dicom-web"; exit 0
fi
Orthanc "$state/orthanc.json" >"$state/orthanc.log" 2>&1 &
echo $! > "$state/orthanc.pid"
for _ in $(seq 1 60); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$port/system" >/dev/null 2>&1; then
    echo "http://127.0.0.1:$port/dicom-web"; exit 0
  fi
  sleep 0.5
done
echo "Orthanc did not start; see $state/orthanc.log" >&2
tail -20 "$state/orthanc.log" >&2
exit 1
