// The uWebSockets anchor for bench/WsServer.LoadTest: the same server the tool's WsServer and Kestrel children
// are (an echo; a text message "fanout:PAYLOAD" broadcasts PAYLOAD, binary, to every connection), speaking the
// tool's child protocol: "ready PORT" on stdout, then one answer per command read from stdin.
#include "App.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <sys/resource.h>

namespace {

struct Connection {};

long CpuMilliseconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L;
}

// The control channel, on a thread of its own that sleeps in read(2): "stats" and "gc" answer with the counters
// the tool reads (no managed heap here: zeros but the CPU time), "quit" or the end of stdin ends the process.
void ServeControlChannel()
{
    std::string line;
    while (std::getline(std::cin, line))
    {
        if (line == "stats" || line == "gc") std::printf("stats 0 0 0 0 0 %ld\n", CpuMilliseconds());
        else if (line == "flood") std::printf("flood 0 0\n");
        else if (line == "quit") break;
        else std::printf("error unknown command\n");
        std::fflush(stdout);
    }
    std::_Exit(0);
}

}

int main(int argc, char **argv)
{
    int port = argc > 2 && std::string(argv[1]) == "--port" ? std::atoi(argv[2]) : 0;
    uWS::App app;
    app.ws<Connection>("/*", {
        // Compression as WsServer's default: a compressor shared by the loop, reset after each message.
        .compression = uWS::SHARED_COMPRESSOR,
        .maxPayloadLength = 64 * 1024 * 1024,
        .idleTimeout = 0,
        .maxBackpressure = 64 * 1024 * 1024,
        .closeOnBackpressureLimit = false,
        .resetIdleTimeoutOnSend = false,
        .sendPingsAutomatically = false,
        .open = [](auto *ws) { ws->subscribe("fanout"); },
        .message = [&app](auto *ws, std::string_view message, uWS::OpCode opCode) {
            if (opCode == uWS::OpCode::TEXT && message.starts_with("fanout:"))
                app.publish("fanout", message.substr(7), uWS::OpCode::BINARY);
            else
                ws->send(message, opCode, true);
        },
    }).listen("127.0.0.1", port, [](auto *listenSocket) {
        if (!listenSocket)
        {
            std::fprintf(stderr, "cannot listen\n");
            std::exit(1);
        }
        std::printf("ready %d\n", us_socket_local_port(0, (us_socket_t *)listenSocket));
        std::fflush(stdout);
    });
    std::thread(ServeControlChannel).detach();
    app.run();
}
