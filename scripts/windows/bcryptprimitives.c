/*
 * A stand-in bcryptprimitives.dll for running esecheck's Windows build under Wine 8 only.
 *
 * Rust's std (1.78 and later) takes its random numbers (HashMap seeds) from ProcessPrng in
 * bcryptprimitives.dll, which every Windows since 10 has and Wine 8.0 does not: there, every exe
 * built by such a Rust dies before main with status c0000135 (a DLL not found). This file gives
 * Wine the one function, on top of the BCryptGenRandom that Wine does have. scripts/windows.sh
 * builds it with mingw and puts it into the test Wine prefix's system32; it is never shipped and
 * never needed on Windows.
 */
#include <windows.h>
#include <bcrypt.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

/* BOOL ProcessPrng(PBYTE, SIZE_T): always TRUE on Windows; the caller has no failure path. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        /* BCryptGenRandom takes a ULONG length: feed a larger request in pieces. */
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst;
    (void)reason;
    (void)reserved;
    return TRUE;
}
