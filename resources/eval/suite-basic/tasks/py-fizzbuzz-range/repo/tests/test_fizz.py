import unittest
from fizz import fizzbuzz

class FizzTest(unittest.TestCase):
    def test_fizz(self):
        self.assertEqual(fizzbuzz(4)[2], 'Fizz')

if __name__ == '__main__':
    unittest.main()
