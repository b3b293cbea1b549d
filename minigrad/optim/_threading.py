"""placeholder"""
def configure_openmp():
    pass
