/* A stand-in for Windows' bcryptprimitives.dll, for running Heft's Windows builds under Wine
 * older than 9 (Debian 12 ships Wine 8), which lacks it. Rust's standard library asks it for
 * random bytes (ProcessPrng); this forwards to RtlGenRandom (advapi32's SystemFunction036),
 * which every Wine has. Tests only: Windows 10 and 11 have the real one. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG n = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
