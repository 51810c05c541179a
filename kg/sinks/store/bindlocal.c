/* Preloaded into the embedded redis-server (LD_PRELOAD) so that every socket it binds to "any
 * address" is bound to the loopback address instead. FalkorDB's Bolt endpoint has no bind option
 * and no authentication, so without this it would listen on every network interface.
 *
 * IPv4 0.0.0.0 becomes 127.0.0.1; IPv6 :: becomes ::ffff:127.0.0.1 (still reached by IPv4
 * clients of 127.0.0.1 on a dual-stack socket), or ::1 where that is refused.
 * Built by kg/store/loopback.py with the system C compiler, once per machine. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static bind_fn real_bind;
    if (!real_bind) real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
    if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in a;
        memcpy(&a, addr, sizeof a);
        if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            return real_bind(fd, (const struct sockaddr *)&a, sizeof a);
        }
    } else if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 a;
        memcpy(&a, addr, sizeof a);
        if (IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr)) {
            static const unsigned char mapped[16] = {0,0,0,0,0,0,0,0,0,0,0xff,0xff,127,0,0,1};
            memcpy(&a.sin6_addr, mapped, 16);
            int rc = real_bind(fd, (const struct sockaddr *)&a, sizeof a);
            if (rc == 0) return 0;
            a.sin6_addr = in6addr_loopback;
            return real_bind(fd, (const struct sockaddr *)&a, sizeof a);
        }
    }
    return real_bind(fd, addr, len);
}
