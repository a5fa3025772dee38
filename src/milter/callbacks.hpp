// callbacks.hpp: registration of the libmilter callbacks (callbacks.cpp).
#pragma once

namespace milter {

// smfi_register with every callback and SMFIF_DELRCPT; false on failure.
bool register_callbacks();

} // namespace milter
