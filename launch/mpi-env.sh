#!/usr/bin/env bash
# Environment that lets mpirun work inside containers; sourced by the launch scripts.
# Running as root needs Open MPI's explicit consent.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Without ssh or rsh, Open MPI refuses to start even on one machine unless told not to look for one.
if ! command -v ssh >/dev/null && ! command -v rsh >/dev/null && [ -z "${OMPI_MCA_plm_rsh_agent:-}" ]; then
  export OMPI_MCA_plm_rsh_agent=false
fi
# More ranks than cores must be allowed explicitly.
export OMPI_MCA_rmaps_base_oversubscribe=1
