/* Links against the installed library through its CMake package and checks the version macros
 * against the library's own dc_version(). */
#include <stdio.h>
#include <string.h>

#include <dockerclient.h>

int main(void) {
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", DC_VERSION_MAJOR, DC_VERSION_MINOR, DC_VERSION_PATCH);
    if (strcmp(dc_version(), want) != 0 || strcmp(dc_version(), DC_VERSION_STRING) != 0) {
        fprintf(stderr, "version mismatch: library %s, header %s / %s\n", dc_version(), want, DC_VERSION_STRING);
        return 1;
    }
    printf("consumer: dockerclient %s, %s\n", dc_version(), dc_status_name(DC_NOT_FOUND));
    return 0;
}
