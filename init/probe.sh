# Sourced by init/systemctl before exec-node.sh. Health probes (Kubernetes exec probes,
# Docker HEALTHCHECK) run `systemctl is-active X`, `is-enabled X`, `is-failed X` or `is-system-running`
# every few seconds in every container; starting Node for that costs ~100 ms of CPU.
# unitd-probe (src/native/probe.c) answers those in about a millisecond. It answers only
# what it fully understands and otherwise exits 254 having printed nothing, and we go on
# to Node's systemctl as before. UNITD_PROBE=0 turns the fast path off.
# Expects $self, the launcher's real path. Looks for the probe built from source
# (build/Release) first, then the one the package installed for this machine (dist/).
case ${1-} in
  is-active | is-enabled | is-failed | is-system-running)
    if [ "${UNITD_PROBE-}" != 0 ]; then
      for probe in "${self%/*}/../build/Release/unitd-probe" "${self%/*}/../dist/unitd-probe"; do
        if [ -x "$probe" ]; then
          "$probe" "$@"
          status=$?
          [ "$status" -eq 254 ] || exit "$status"
          break
        fi
      done
    fi
    ;;
esac
