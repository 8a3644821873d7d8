/* Stand-in for <string.h>: the functions ring's C code declares it uses. Type-checking on
   Linux only (see README.md here). */
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
