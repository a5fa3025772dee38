// commands.hpp: the tlsrptctl subcommands. Each takes its arguments after the subcommand name
// and returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace tlsrptctl {

using Args = std::vector<std::string>;

int cmd_parse(const Args& args);
int cmd_import(const Args& args);
int cmd_import_imap(const Args& args); // cmd_import.cpp hands imap:// and imaps:// URLs here
int cmd_summary(const Args& args);
int cmd_db(const Args& args);
int cmd_rejected(const Args& args);
int cmd_dkim(const Args& args);
int cmd_alerts(const Args& args);
int cmd_digest(const Args& args);

} // namespace tlsrptctl
