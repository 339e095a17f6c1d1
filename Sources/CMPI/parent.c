// The parent-death signal: a rank must not outlive the mpirun or orted that started it. No MPI here;
// it lives in CMPI because prctl is variadic, which Swift cannot call.
#include "CMPI.h"

#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int CMPI_die_with_parent(int expected_parent) {
#ifdef __linux__
    // Linux sends the signal when the thread that forked us exits; mpirun and orted fork ranks
    // from their main thread, which lives as long as they do (Tests/TrainerTests/OrphanRankTests).
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
#endif
    // The parent may have died before the signal was armed: then we were already reparented.
    return getppid() == (pid_t)expected_parent ? 0 : 1;
}
