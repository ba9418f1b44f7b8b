def failing(M, N):
    return {"op": "fail", "shape": [M, N]}


INSTANCES = {"fail_32": dict(M=32, N=32)}
