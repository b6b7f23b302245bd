def fizzbuzz(n):
    """Entries for 1..n: "Fizz", "Buzz", "FizzBuzz" or the number as text."""
    out = []
    for i in range(1, n):
        if i % 15 == 0:
            out.append("FizzBuzz")
        elif i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        else:
            out.append(str(i))
    return out
