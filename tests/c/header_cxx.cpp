// The header compiles as C++ and declares its functions with C linkage.
#include "dockerclient.h"

int main() {
    dc_status s = DC_OK;
    const char *name = dc_status_name(s);
    return name[0] == 'O' ? 0 : 1;
}
