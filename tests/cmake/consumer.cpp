// The C++ header through the CMake package: a client, an error as an exception.
#include <iostream>

#include <dockerclient.hpp>

int main() {
    dockerclient::client c(R"({"host": "unix:///nonexistent/docker.sock"})");
    try {
        c.version();
    } catch (const dockerclient::error &e) {
        std::cout << "consumer_cxx: " << dc_status_name(e.status()) << "\n";
        return e.status() == DC_TRANSPORT ? 0 : 1;
    }
    return 1;
}
