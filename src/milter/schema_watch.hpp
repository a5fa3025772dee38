// schema_watch.hpp: whether the database is ready for storing (reachable, schema current).
// The milter starts without a ready database (a fresh package installation has none): it logs
// what is missing and the exact commands that set it up, answers 4xx to report recipients
// meanwhile, and checks again with a growing delay until the database is ready.
#pragma once

#include <string>

namespace milter {

// Checks the database of the current runtime once, logs the outcome; true when ready. Before
// serving, and after each reload that changes the database.
bool check_database_now();

// Report recipients get 4xx while this is false (set by check_database_now and the watcher).
bool database_ready();

// Starts the background checks (1 s, doubling to 60 s) unless the database is ready; the
// thread ends once it is, or when the milter stops.
void watch_database();

} // namespace milter
