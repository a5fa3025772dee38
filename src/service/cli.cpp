// cli.cpp: the daemons' shared option parser (cli.hpp).
#include "service/cli.hpp"

#include "tlsrpt_config.h"

#include <getopt.h>

namespace service::cli {

const char* version() {
    return TLSRPT_VERSION;
}

std::optional<Options> parse(const Program& program, int argc, char** argv) {
    static const option longopts[] = {{"dump-config", no_argument, nullptr, 'D'},
                                      {"man-config", no_argument, nullptr, 'M'},
                                      {"version", no_argument, nullptr, 'V'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    Options o;
    o.config_path = program.default_config;
    const char* shortopts = program.takes_socket ? "+c:fp:u:P:nVh" : "+c:fu:P:nVh";
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, shortopts, longopts, nullptr)) != -1) {
        switch (opt) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'f':
            o.foreground = true;
            break;
        case 'p':
            o.socket = optarg;
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'P':
            o.pid_file = optarg;
            break;
        case 'n':
            o.check_only = true;
            break;
        case 'D':
            o.dump = true;
            break;
        case 'M':
            o.man = true;
            break;
        case 'V':
            o.version = true;
            break;
        case 'h':
            o.help = true;
            break;
        default: // getopt named the option
            std::cerr << program.usage;
            return std::nullopt;
        }
    }
    if (optind != argc) {
        std::cerr << program.name << ": unexpected argument '" << argv[optind] << "'\n"
                  << program.usage;
        return std::nullopt;
    }
    return o;
}

} // namespace service::cli
