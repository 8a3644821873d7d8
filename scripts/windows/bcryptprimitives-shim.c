/* A stand-in for bcryptprimitives.dll for running Tebiki's Windows builds under Wine 8 only.
 *
 * Rust's standard library (1.78+) takes random bytes from ProcessPrng in bcryptprimitives.dll;
 * Wine 8 has no such DLL, so every Rust .exe fails to start. This forwards ProcessPrng to
 * RtlGenRandom (advapi32 SystemFunction036), which Wine implements. Built by
 * scripts/wine-run.sh with mingw into the private Wine prefix under target/; never shipped,
 * never committed as a binary. Real Windows (10 and 11) has the real DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
