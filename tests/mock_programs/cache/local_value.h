#define LOCAL_VALUE 1
