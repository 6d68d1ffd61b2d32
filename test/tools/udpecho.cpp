// udpecho: a UDP echo server and a paced client that measures loss and gaps.
//
//   udpecho serve  [--port P] [--no-v6]
//   udpecho client --to ADDR [--port P] [--interval-ms MS] [--duration S]
//                  [--bind ADDR] [--stats FILE]
//
// The client sends one datagram every interval (absolute CLOCK_MONOTONIC
// deadlines, so the rate does not drift), each carrying a sequence number and
// its send time. A receiver thread records the echoes. It stops after
// --duration seconds or on SIGINT/SIGTERM, waits 200 ms for echoes still in
// flight, and prints a report of key=value lines to stdout:
//
//   sent=N received=M lost=K max_gap_ms=X gap_start=EPOCH gap_end=EPOCH ...
//   lost_from_seq=A lost_to_seq=B count=N first_sent=EPOCH last_sent=EPOCH
//   mark=I time=EPOCH seq=S lost_after=K max_gap_after_ms=X outage_after_ms=Y
//                                                    (one per SIGUSR1)
//
// The gap is the longest interval between two consecutive received echoes,
// by receive time. Epoch times are wall-clock seconds with 6 decimals.
// SIGUSR1 sets a mark (e.g. "fault restored here"); the report then tells how
// many datagrams sent after the mark were lost, the longest gap between
// echoes that ended after it (a stall of the client's at its start, long
// before the mark, does not count there), and the longest outage after it:
// for each run of lost datagrams, the time from sending the last one echoed
// before the run to sending the first one echoed after it (a stall with
// nothing lost is no outage; a stall of the sender within one is counted
// in it). --stats FILE is rewritten
// (atomically) every 100 ms with "sent=N received=M last_recv=EPOCH", so a
// script can watch the flow while it runs.
//
// Plain C++17 + POSIX; no Boost. Used by the namespace tests and the demo.

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr uint32_t kMagic = 0x55444543;  // "UDEC"
constexpr double kMaxDurationS = 3600.0;
constexpr uint64_t kMaxSeqs = 50'000'000;
constexpr int kDrainMs = 200;

struct Payload {
  uint32_t magic;
  uint32_t nonce;      // per client run: ignore strays from other runs
  uint64_t seq;
  int64_t sent_mono_ns;
  int64_t sent_wall_ns;
};

volatile sig_atomic_t g_stop = 0;

int64_t now_ns(clockid_t clk) {
  timespec ts{};
  clock_gettime(clk, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
int64_t mono_ns() { return now_ns(CLOCK_MONOTONIC); }
int64_t wall_ns() { return now_ns(CLOCK_REALTIME); }

std::string epoch(int64_t ns) {
  if (ns <= 0) return "0.000000";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%" PRId64 ".%06" PRId64, ns / 1'000'000'000,
                (ns % 1'000'000'000) / 1000);
  return buf;
}

[[noreturn]] void usage(int rc) {
  std::fprintf(rc ? stderr : stdout,
               "usage: udpecho serve [--port P] [--no-v6]\n"
               "       udpecho client --to ADDR [--port P] [--interval-ms MS] "
               "[--duration S] [--bind ADDR] [--stats FILE]\n"
               "  serve : echo every datagram on 0.0.0.0:P and [::]:P (default "
               "P=7007) until SIGTERM/SIGINT\n"
               "  client: send one datagram every MS ms (default 1) for S "
               "seconds (default and max 3600)\n"
               "          or until SIGINT/SIGTERM; SIGUSR1 sets a mark; "
               "prints a key=value report\n");
  std::exit(rc);
}

bool parse_double(const char* s, double& out) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s, &end);
  if (errno || end == s || *end || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool parse_port(const char* s, uint16_t& out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end || v < 1 || v > 65535) return false;
  out = uint16_t(v);
  return true;
}

// Parses a literal IPv4/IPv6 address (IPv6 may carry %scope) into sa.
bool parse_addr(const std::string& text, uint16_t port, sockaddr_storage& sa,
                socklen_t& len) {
  std::memset(&sa, 0, sizeof sa);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&sa);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&sa);
  std::string host = text;
  uint32_t scope = 0;
  if (auto pct = host.find('%'); pct != std::string::npos) {
    std::string sc = host.substr(pct + 1);
    host.resize(pct);
    char* end = nullptr;
    unsigned long n = std::strtoul(sc.c_str(), &end, 10);
    scope = (end && *end == 0 && !sc.empty()) ? uint32_t(n) : 0;
    if (!scope) {
      scope = if_nametoindex(sc.c_str());  // an interface name
      if (!scope) return false;
    }
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    v6->sin6_scope_id = scope;
    len = sizeof *v6;
    return true;
  }
  return false;
}

void on_signal(int) { g_stop = 1; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// ---------------------------------------------------------------- serve ---

int open_server_socket(int family, uint16_t port) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rcvbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_ANY);
    len = sizeof *a;
    // Reply from the address the request was sent to (multi-homed host).
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_any;
    len = sizeof *a;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

// Echo whatever is queued on fd; returns the number of datagrams echoed.
uint64_t echo_pending(int fd) {
  uint64_t n = 0;
  for (int burst = 0; burst < 256; ++burst) {
    char buf[65536];
    char ctl[256];
    sockaddr_storage from{};
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    ssize_t r = recvmsg(fd, &mh, 0);
    if (r < 0) break;  // EAGAIN or error: back to poll
    // Build a reply that keeps the request's destination as its source.
    char octl[256];
    std::memset(octl, 0, sizeof octl);
    msghdr out{};
    iovec oiov{buf, size_t(r)};
    out.msg_name = &from;
    out.msg_namelen = mh.msg_namelen;
    out.msg_iov = &oiov;
    out.msg_iovlen = 1;
    size_t octl_len = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo pi{};
        std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
        in_pktinfo reply{};
        reply.ipi_spec_dst = pi.ipi_spec_dst;
        out.msg_control = octl;
        out.msg_controllen = CMSG_SPACE(sizeof reply);
        cmsghdr* oc = CMSG_FIRSTHDR(&out);
        oc->cmsg_level = IPPROTO_IP;
        oc->cmsg_type = IP_PKTINFO;
        oc->cmsg_len = CMSG_LEN(sizeof reply);
        std::memcpy(CMSG_DATA(oc), &reply, sizeof reply);
        octl_len = out.msg_controllen;
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo pi{};
        std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
        if (IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr)) continue;
        in6_pktinfo reply{};
        reply.ipi6_addr = pi.ipi6_addr;
        // keep the interface for link-local peers only
        if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr)) reply.ipi6_ifindex = pi.ipi6_ifindex;
        out.msg_control = octl;
        out.msg_controllen = CMSG_SPACE(sizeof reply);
        cmsghdr* oc = CMSG_FIRSTHDR(&out);
        oc->cmsg_level = IPPROTO_IPV6;
        oc->cmsg_type = IPV6_PKTINFO;
        oc->cmsg_len = CMSG_LEN(sizeof reply);
        std::memcpy(CMSG_DATA(oc), &reply, sizeof reply);
        octl_len = out.msg_controllen;
      }
    }
    if (sendmsg(fd, &out, 0) < 0 && octl_len) {
      // The source address may be gone: fall back to the kernel's choice.
      out.msg_control = nullptr;
      out.msg_controllen = 0;
      (void)sendmsg(fd, &out, 0);
    }
    ++n;
  }
  return n;
}

int run_serve(int argc, char** argv) {
  uint16_t port = 7007;
  bool v6 = true;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      if (!parse_port(argv[++i], port)) usage(2);
    } else if (a == "--no-v6") {
      v6 = false;
    } else if (a == "-h" || a == "--help") {
      usage(0);
    } else {
      std::fprintf(stderr, "udpecho serve: unknown argument '%s'\n", a.c_str());
      usage(2);
    }
  }
  install_stop_handlers();
  std::vector<pollfd> fds;
  int fd4 = open_server_socket(AF_INET, port);
  if (fd4 < 0) {
    std::fprintf(stderr, "udpecho serve: bind 0.0.0.0:%u: %s\n", port, std::strerror(errno));
    return 1;
  }
  fds.push_back({fd4, POLLIN, 0});
  if (v6) {
    int fd6 = open_server_socket(AF_INET6, port);
    if (fd6 >= 0)
      fds.push_back({fd6, POLLIN, 0});
    else
      std::fprintf(stderr, "udpecho serve: no IPv6 ([::]:%u: %s), IPv4 only\n", port,
                   std::strerror(errno));
  }
  std::fprintf(stderr, "udpecho serve: listening on port %u\n", port);
  uint64_t echoed = 0;
  while (!g_stop) {
    int r = poll(fds.data(), fds.size(), 500);
    if (r < 0) {
      if (errno == EINTR) continue;
      std::perror("udpecho serve: poll");
      return 1;
    }
    for (auto& p : fds)
      if (p.revents & POLLIN) echoed += echo_pending(p.fd);
  }
  std::printf("echoed=%" PRIu64 "\n", echoed);
  for (auto& p : fds) close(p.fd);
  return 0;
}

// --------------------------------------------------------------- client ---

struct RecvState {
  std::vector<uint8_t> got;         // per seq: echo received
  std::atomic<uint64_t> received{0};
  std::atomic<int64_t> last_recv_wall{0};
  uint64_t duplicates = 0;
  uint64_t stray = 0;
  int64_t prev_mono = 0, prev_wall = 0;
  int64_t max_gap_ns = 0, gap_start_wall = 0, gap_end_wall = 0;
  int64_t first_recv_wall = 0;
  // Gaps over two intervals, {end_wall, length_ns}, for the gap after a
  // mark; at most kMaxLongGaps (then the longest since is kept last).
  std::vector<std::pair<int64_t, int64_t>> long_gaps;
};
constexpr size_t kMaxLongGaps = 100000;

struct Mark {
  int64_t wall;
  uint64_t seq;  // first seq sent after the mark
};

// The longest outage among the runs of lost datagrams that end at or after
// `from`: send time of the first echoed after the run (or of the last sent,
// if none was) less that of the last echoed before it (or of the run's
// first, if none was), in ns; 0 when nothing after `from` was lost.
int64_t outage_after(const std::vector<uint8_t>& got, const std::vector<int64_t>& sent_wall, uint64_t from) {
  const uint64_t sent = sent_wall.size();
  int64_t longest = 0;
  for (uint64_t s = from; s < sent;) {
    if (got[s]) {
      ++s;
      continue;
    }
    uint64_t a = s, b = s;
    while (a > 0 && !got[a - 1]) --a;
    while (b + 1 < sent && !got[b + 1]) ++b;
    const int64_t start = a > 0 ? sent_wall[a - 1] : sent_wall[a];
    const int64_t end = b + 1 < sent ? sent_wall[b + 1] : sent_wall[b];
    longest = std::max(longest, end - start);
    s = b + 1;
  }
  return longest;
}

int run_client(int argc, char** argv) {
  std::string to, bind_addr, stats_path;
  uint16_t port = 7007;
  double interval_ms = 1.0;
  double duration_s = kMaxDurationS;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&](const char* what) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "udpecho client: %s needs a value\n", what);
        usage(2);
      }
      return argv[++i];
    };
    if (a == "--to") {
      to = need("--to");
    } else if (a == "--port") {
      if (!parse_port(need("--port"), port)) usage(2);
    } else if (a == "--interval-ms") {
      if (!parse_double(need("--interval-ms"), interval_ms)) usage(2);
    } else if (a == "--duration") {
      if (!parse_double(need("--duration"), duration_s)) usage(2);
    } else if (a == "--bind") {
      bind_addr = need("--bind");
    } else if (a == "--stats") {
      stats_path = need("--stats");
    } else if (a == "-h" || a == "--help") {
      usage(0);
    } else {
      std::fprintf(stderr, "udpecho client: unknown argument '%s'\n", a.c_str());
      usage(2);
    }
  }
  if (to.empty()) {
    std::fprintf(stderr, "udpecho client: --to ADDR is required\n");
    usage(2);
  }
  if (!(duration_s > 0) || duration_s > kMaxDurationS) {
    std::fprintf(stderr, "udpecho client: --duration must be in (0, %.0f] seconds\n",
                 kMaxDurationS);
    return 2;
  }
  if (!(interval_ms >= 0.01) || interval_ms > 60'000) {
    std::fprintf(stderr, "udpecho client: --interval-ms must be in [0.01, 60000]\n");
    return 2;
  }
  const int64_t interval_ns = int64_t(std::llround(interval_ms * 1e6));
  const uint64_t max_seqs = uint64_t(duration_s * 1e9 / double(interval_ns)) + 1;
  if (max_seqs > kMaxSeqs) {
    std::fprintf(stderr, "udpecho client: duration/interval gives more than %" PRIu64
                 " datagrams\n", kMaxSeqs);
    return 2;
  }

  sockaddr_storage dst{};
  socklen_t dst_len = 0;
  if (!parse_addr(to, port, dst, dst_len)) {
    std::fprintf(stderr, "udpecho client: bad address '%s'\n", to.c_str());
    return 2;
  }
  int fd = socket(dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("udpecho client: socket");
    return 1;
  }
  int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (!bind_addr.empty()) {
    sockaddr_storage src{};
    socklen_t src_len = 0;
    if (!parse_addr(bind_addr, 0, src, src_len) || src.ss_family != dst.ss_family) {
      std::fprintf(stderr, "udpecho client: bad --bind address '%s'\n", bind_addr.c_str());
      return 2;
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&src), src_len) < 0) {
      std::fprintf(stderr, "udpecho client: bind %s: %s\n", bind_addr.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }

  // Signals go to the main thread only (sigtimedwait); workers block them.
  // Give them a handler first: a shell without job control starts background
  // commands with SIGINT ignored, and an ignored signal is never queued.
  install_stop_handlers();
  {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, nullptr);
  }
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  const uint32_t nonce = uint32_t(mono_ns() ^ (int64_t(getpid()) << 16));
  std::vector<int64_t> sent_wall;  // sender-owned until joined
  sent_wall.reserve(std::min<uint64_t>(max_seqs, 1u << 20));
  std::atomic<uint64_t> next_seq{0};
  std::atomic<uint64_t> send_errors{0};
  std::atomic<bool> stop_send{false}, stop_recv{false};
  RecvState rs;
  rs.got.assign(max_seqs, 0);

  const int64_t start_mono = mono_ns();
  const int64_t end_mono = start_mono + int64_t(duration_s * 1e9);

  std::thread sender([&] {
    Payload p{};
    p.magic = kMagic;
    p.nonce = nonce;
    for (uint64_t seq = 0; seq < max_seqs && !stop_send.load(); ++seq) {
      const int64_t deadline = start_mono + int64_t(seq) * interval_ns;
      if (deadline >= end_mono && seq > 0) break;
      timespec ts{time_t(deadline / 1'000'000'000), long(deadline % 1'000'000'000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
      }
      if (stop_send.load()) break;
      p.seq = seq;
      p.sent_mono_ns = mono_ns();
      p.sent_wall_ns = wall_ns();
      sent_wall.push_back(p.sent_wall_ns);
      if (sendto(fd, &p, sizeof p, 0, reinterpret_cast<sockaddr*>(&dst), dst_len) < 0)
        send_errors.fetch_add(1);  // ENETUNREACH, EAGAIN...: counts as lost
      next_seq.store(seq + 1);
    }
  });

  std::thread receiver([&] {
    pollfd pfd{fd, POLLIN, 0};
    while (!stop_recv.load()) {
      int r = poll(&pfd, 1, 20);
      if (r <= 0) continue;
      for (;;) {
        Payload p{};
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(fd, &p, sizeof p, 0, reinterpret_cast<sockaddr*>(&from),
                             &from_len);
        if (n < 0) break;
        const int64_t rm = mono_ns(), rw = wall_ns();
        if (size_t(n) != sizeof p || p.magic != kMagic || p.nonce != nonce ||
            p.seq >= max_seqs) {
          ++rs.stray;
          continue;
        }
        if (rs.got[p.seq]) {
          ++rs.duplicates;
          continue;
        }
        rs.got[p.seq] = 1;
        if (rs.prev_mono) {
          int64_t gap = rm - rs.prev_mono;
          if (gap > 2 * interval_ns) {
            if (rs.long_gaps.size() < kMaxLongGaps) rs.long_gaps.emplace_back(rw, gap);
            else if (gap > rs.long_gaps.back().second) rs.long_gaps.back() = {rw, gap};
          }
          if (gap > rs.max_gap_ns) {
            rs.max_gap_ns = gap;
            rs.gap_start_wall = rs.prev_wall;
            rs.gap_end_wall = rw;
          }
        } else {
          rs.first_recv_wall = rw;
        }
        rs.prev_mono = rm;
        rs.prev_wall = rw;
        rs.received.fetch_add(1);
        rs.last_recv_wall.store(rw);
      }
    }
  });

  auto write_stats = [&] {
    if (stats_path.empty()) return;
    std::string tmp = stats_path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return;
    std::fprintf(f, "sent=%" PRIu64 " received=%" PRIu64 " last_recv=%s\n", next_seq.load(),
                 rs.received.load(), epoch(rs.last_recv_wall.load()).c_str());
    std::fclose(f);
    std::rename(tmp.c_str(), stats_path.c_str());
  };

  std::vector<Mark> marks;
  for (;;) {
    const int64_t now = mono_ns();
    if (now >= end_mono) break;
    int64_t wait = std::min<int64_t>(end_mono - now, 100'000'000);
    timespec ts{time_t(wait / 1'000'000'000), long(wait % 1'000'000'000)};
    int sig = sigtimedwait(&sigs, nullptr, &ts);
    if (sig == SIGUSR1) {
      marks.push_back({wall_ns(), next_seq.load()});
    } else if (sig == SIGINT || sig == SIGTERM) {
      break;
    }
    write_stats();
  }
  stop_send.store(true);
  sender.join();
  // Echoes still in flight.
  {
    timespec ts{0, kDrainMs * 1'000'000L};
    const int64_t until = mono_ns() + kDrainMs * 1'000'000LL;
    while (mono_ns() < until) {
      int64_t left = until - mono_ns();
      if (left <= 0) break;
      ts = {time_t(left / 1'000'000'000), long(left % 1'000'000'000)};
      int sig = sigtimedwait(&sigs, nullptr, &ts);
      if (sig == SIGUSR1) marks.push_back({wall_ns(), next_seq.load()});
    }
  }
  stop_recv.store(true);
  receiver.join();
  write_stats();
  close(fd);

  const uint64_t sent = sent_wall.size();
  uint64_t received = 0;
  for (uint64_t s = 0; s < sent; ++s) received += rs.got[s];
  std::printf("sent=%" PRIu64 " received=%" PRIu64 " lost=%" PRIu64
              " max_gap_ms=%.3f gap_start=%s gap_end=%s send_errors=%" PRIu64
              " duplicates=%" PRIu64 " interval_ms=%.3f first_sent=%s last_sent=%s"
              " first_recv=%s last_recv=%s\n",
              sent, received, sent - received, double(rs.max_gap_ns) / 1e6,
              epoch(rs.gap_start_wall).c_str(), epoch(rs.gap_end_wall).c_str(),
              send_errors.load(), rs.duplicates, interval_ms,
              epoch(sent ? sent_wall.front() : 0).c_str(),
              epoch(sent ? sent_wall.back() : 0).c_str(), epoch(rs.first_recv_wall).c_str(),
              epoch(rs.last_recv_wall.load()).c_str());
  // Runs of consecutive lost sequence numbers.
  constexpr uint64_t kMaxRunLines = 1000;
  uint64_t runs = 0;
  for (uint64_t s = 0; s < sent;) {
    if (rs.got[s]) {
      ++s;
      continue;
    }
    uint64_t e = s;
    while (e + 1 < sent && !rs.got[e + 1]) ++e;
    if (runs++ < kMaxRunLines)
      std::printf("lost_from_seq=%" PRIu64 " lost_to_seq=%" PRIu64 " count=%" PRIu64
                  " first_sent=%s last_sent=%s\n",
                  s, e, e - s + 1, epoch(sent_wall[s]).c_str(), epoch(sent_wall[e]).c_str());
    s = e + 1;
  }
  if (runs > kMaxRunLines)
    std::printf("lost_runs_not_shown=%" PRIu64 "\n", runs - kMaxRunLines);
  for (size_t i = 0; i < marks.size(); ++i) {
    uint64_t lost_after = 0;
    for (uint64_t s = marks[i].seq; s < sent; ++s) lost_after += !rs.got[s];
    int64_t gap_after = 0;
    for (const auto& [end, len] : rs.long_gaps)
      if (end > marks[i].wall) gap_after = std::max(gap_after, len);
    std::printf("mark=%zu time=%s seq=%" PRIu64 " lost_after=%" PRIu64
                " max_gap_after_ms=%.3f outage_after_ms=%.3f\n",
                i + 1, epoch(marks[i].wall).c_str(), marks[i].seq, lost_after, double(gap_after) / 1e6,
                double(outage_after(rs.got, sent_wall, marks[i].seq)) / 1e6);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage(2);
  std::string mode = argv[1];
  if (mode == "serve") return run_serve(argc - 2, argv + 2);
  if (mode == "client") return run_client(argc - 2, argv + 2);
  if (mode == "-h" || mode == "--help") usage(0);
  std::fprintf(stderr, "udpecho: unknown mode '%s'\n", mode.c_str());
  usage(2);
}
