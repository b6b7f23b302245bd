import unittest
from fizz import fizzbuzz

class Hidden(unittest.TestCase):
    def test_inclusive(self):
        self.assertEqual(len(fizzbuzz(15)), 15)
        self.assertEqual(fizzbuzz(15)[-1], 'FizzBuzz')
        self.assertEqual(fizzbuzz(1), ['1'])
        self.assertEqual(fizzbuzz(0), [])

if __name__ == '__main__':
    unittest.main()
