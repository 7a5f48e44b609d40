/* The smallest program: print the library's version. Used by the install check. */
#include <stdio.h>

#include <dockerclient.h>

int main(void) {
    printf("dockerclient %s\n", dc_version());
    return 0;
}
