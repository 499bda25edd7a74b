'use client'
import { useState } from 'react'
import { whoAmI } from './actions'

export function WhoAmI() {
  const [answer, setAnswer] = useState('')
  return (
    <p>
      <button type="button" onClick={() => void whoAmI().then(setAnswer)}>
        Who am I?
      </button>
      <output data-testid="action-answer">{answer}</output>
    </p>
  )
}
